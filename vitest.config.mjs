import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { packageProject } from "./tooling/vitest/preset.mjs";

// One vitest project per workspace package that has a test/ folder (tooling/readme-examples
// checks the READMEs' code blocks; tooling/consumer-test installs packed tarballs with npm
// outside the workspace and checks the publish set, platform packages and run-time requirements).
const roots = ["packages", "apps", "tooling"];
const dirs = [];
for (const root of roots) {
  for (const name of readdirSync(root)) {
    for (const dir of [join(root, name), join(root, name, "native")]) {
      if (existsSync(join(dir, "test"))) dirs.push(dir);
    }
  }
}

const projects = dirs.map((dir) => packageProject(dir, dir.replace(/^(packages|tooling)\//, "")));
// pg-pool's suite runs a second time with its sessions on net.Socket, the JS twin of the
// engine's sockets that it uses by default (the test that compares the two runs once).
projects.push(
  packageProject("packages/pg-pool", "pg-pool/net-socket", {
    env: { FASTERAPI_NATIVE: "0" },
    exclude: ["test/session-socket.integration.test.ts"],
  }),
);

export default defineConfig({
  test: {
    projects,
    reporters: ["default"],
  },
});
