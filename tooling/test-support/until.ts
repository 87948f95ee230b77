// Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`, for tests that wait
// for something a peer does asynchronously (a message arriving, a count reaching a value).
export function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error("condition not met in time"));
      else setTimeout(check, 10);
    };
    check();
  });
}
