/*
 * term.h - the little terminal control the live commands need: an
 * interrupt flag set by Ctrl-C, raw key reading, the window size, and
 * the alternate screen for `top`.
 *
 * The one idea: the terminal is always given back as it was found, so
 * every change made by arc_cli_term_enter is undone by
 * arc_cli_term_leave (and nothing is changed when stdin or stdout is not
 * a terminal, as under a test harness).
 *
 * The program's one thread, plus the SIGINT handler, which only sets a
 * flag.
 */
#ifndef ARC_CLI_TERM_H
#define ARC_CLI_TERM_H

#include <stdbool.h>
#include <stdio.h>

/* Installs a SIGINT and SIGTERM handler that sets the interrupt flag. */
void arc_cli_catch_interrupt(void);

/* True once Ctrl-C (SIGINT) or SIGTERM arrived. */
bool arc_cli_interrupted(void);

/*
 * Switches a terminal on stdin/stdout to single-key input without echo,
 * the alternate screen and a hidden cursor. Returns false (and changes
 * nothing) when they are not terminals.
 */
bool arc_cli_term_enter(FILE *out);

/* Restores what arc_cli_term_enter changed; harmless if it did not. */
void arc_cli_term_leave(FILE *out);

/* A key pressed since the last call, or -1 when none (never blocks). */
int arc_cli_term_key(void);

/* The window size of stdout; 80 x 24 when unknown. */
void arc_cli_term_size(int *cols, int *rows);

#endif
