/**
 * Sliding-window counters in memory (one process). Each rule is "at most `limit` hits per
 * `windowMs`"; hit() answers how many seconds to wait, 0 when allowed.
 */
export interface LimitRule {
  limit: number;
  windowMs: number;
}

export class Limiter {
  private readonly hits = new Map<string, number[]>();

  hit(key: string, rules: LimitRule[], now: number): number {
    const longest = Math.max(...rules.map((r) => r.windowMs));
    const times = (this.hits.get(key) ?? []).filter((t) => t > now - longest);
    let wait = 0;
    for (const rule of rules) {
      const inWindow = times.filter((t) => t > now - rule.windowMs);
      if (inWindow.length >= rule.limit) {
        const oldest = inWindow[inWindow.length - rule.limit]!;
        wait = Math.max(wait, Math.ceil((oldest + rule.windowMs - now) / 1000));
      }
    }
    if (wait === 0) times.push(now);
    this.hits.set(key, times);
    if (this.hits.size > 100_000) this.sweep(now, longest);
    return wait;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, times] of this.hits) if (!times.some((t) => t > now - windowMs)) this.hits.delete(key);
  }
}
