// A deterministic JSON document of about `targetBytes`, shaped like an API list response:
// the payload of the compression benchmarks (codec throughput and end-to-end serving).
export function makeJson(targetBytes) {
  const items = [];
  let size = 2;
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
  for (let id = 1; size < targetBytes; id++) {
    const item = {
      id,
      name: `${words[Math.floor(rand() * 10)]} ${words[Math.floor(rand() * 10)]} ${id}`,
      price: Math.round(rand() * 100000) / 100,
      inStock: rand() > 0.3,
      tags: [words[Math.floor(rand() * 10)], words[Math.floor(rand() * 10)]],
      createdAt: new Date(1_700_000_000_000 + Math.floor(rand() * 1e10)).toISOString(),
      owner: { id: Math.floor(rand() * 1000), email: `user${Math.floor(rand() * 1000)}@example.com` },
    };
    const text = JSON.stringify(item);
    size += text.length + 1;
    items.push(item);
  }
  return Buffer.from(JSON.stringify(items));
}
