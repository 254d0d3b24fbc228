/**
 * Reads until the value is what a test waits for, and returns it; after `seconds`, fails
 * naming what did not happen and the last value read.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  seconds = 30,
) {
  const deadline = Date.now() + seconds * 1000;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen in ${seconds}s; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}
