// Counts stream resets on one HTTP/2 session in one-second windows and says when they exceed the
// budget: the defence against rapid reset (CVE-2023-44487) and against resets the server is made
// to send (CVE-2025-8671, "MadeYouReset"). It does not close anything itself.
export class ResetBudget {
  private readonly perSecond: number;
  private windowStart = 0;
  private spent = 0;
  private exhausted = false;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  /**
   * Records one reset; true for the one reset that first takes a second past `perSecond` (so the
   * caller ends the session once), false before and after.
   */
  spend(now: number = Date.now()): boolean {
    if (this.exhausted) return false;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.spent = 0;
    }
    this.spent++;
    this.exhausted = this.spent > this.perSecond;
    return this.exhausted;
  }
}
