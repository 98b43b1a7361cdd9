/**
 * The value of the first /metrics line of the gateway at `gatewayUrl` that starts with `series`
 * (a name with its labels, e.g. `wag_x_total{kind="a"}`); 0 when there is none yet.
 */
export async function metricValue(gatewayUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const found = text.split('\n').find((line) => line.startsWith(series));
  return found ? Number(found.slice(found.lastIndexOf(' ') + 1)) : 0;
}
