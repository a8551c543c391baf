// The globe's hover tooltip for one node, as deck.gl's {text} form.
import type { MeshNode } from '../lib/types';

export function nodeTooltip(n: MeshNode): { text: string } {
  return {
    text: [
      `${n.id} (${n.site})`,
      `${n.status}${n.drained ? ', drained' : ''} · ${n.energy_source}`,
      `GPU ${Math.round(n.gpu_util * 100)}% · battery ${Math.round(n.battery_soc * 100)}%`,
      `${Math.round(n.carbon_g_per_kwh)} g CO2/kWh · queue ${n.queue_depth}`,
    ].join('\n'),
  };
}
