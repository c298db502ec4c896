// The product's binaries started by a spec itself (the standalone emulator, the app in WorkOS
// mode): a free loopback port, a child process with its output kept, waiting until it answers.
// (`make bench` and `make soak` have their own, plain Node ESM, in end2end/lib/servers.mjs.)
import { spawn, ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

/** The repository root. */
export const repo = path.resolve(__dirname, "../..");

/** A port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A started process and everything it has written to stdout and stderr so far. */
export type Started = { child: ChildProcess; output: () => string };

/** Starts `command` from the repository root with only PATH, `RUST_LOG=info` and `env`. */
export function start(command: string, args: string[], env: Record<string, string> = {}): Started {
  let output = "";
  const child = spawn(command, args, { cwd: repo, env: { PATH: process.env.PATH!, RUST_LOG: "info", ...env } });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return { child, output: () => output };
}

/** Waits until `url` answers below 500 (30 s at most), failing early with the process's output if
 *  it exits. */
export async function waitUntilUp(url: string, { child, output }: Started) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up: ${output()}`);
}
