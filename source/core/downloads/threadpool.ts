/**
 * Every transfer's file work (write, fsync, rename, open) runs on libuv's
 * threadpool, 4 threads by default: with 16 transfers in flight, fsyncs
 * queue behind each other and writes wait. 16 threads measured ~25% faster
 * (bench/download.ts). The size is read once, when the pool first starts, so
 * this module must be imported before any asynchronous fs, dns or crypto
 * call: the CLI imports it first; the engine imports it too for library use.
 * A value the user set in the environment wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';

export {};
