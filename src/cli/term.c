/*
 * term.c - raw keys, window size and the alternate screen through
 * termios and ANSI escape codes, and the interrupt flag.
 *
 * The program's thread; the saved terminal state is file-static
 * because there is one terminal per process.
 */
#include "cli/term.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static struct termios saved;
static bool entered;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void arc_cli_catch_interrupt(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool arc_cli_interrupted(void)
{
    return interrupted != 0;
}

bool arc_cli_term_enter(FILE *out)
{
    struct termios raw;

    if (entered || !isatty(STDIN_FILENO) || !isatty(fileno(out)) ||
        tcgetattr(STDIN_FILENO, &saved) != 0)
        return false;

    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return false;

    entered = true;
    fputs("\x1b[?1049h\x1b[?25l", out);
    fflush(out);
    return true;
}

void arc_cli_term_leave(FILE *out)
{
    if (!entered)
        return;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fputs("\x1b[?25h\x1b[?1049l", out);
    fflush(out);
    entered = false;
}

int arc_cli_term_key(void)
{
    unsigned char c;

    if (!entered)
        return -1;
    return read(STDIN_FILENO, &c, 1) == 1 ? c : -1;
}

void arc_cli_term_size(int *cols, int *rows)
{
    struct winsize ws;

    *cols = 80;
    *rows = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
        ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}
