import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { packageProject } from "./tooling/vitest/preset.mjs";

// One vitest project per workspace package that has a test/ folder.
const roots = ["packages", "apps"];
const dirs = [];
for (const root of roots) {
  for (const name of readdirSync(root)) {
    for (const dir of [join(root, name), join(root, name, "native")]) {
      if (existsSync(join(dir, "test"))) dirs.push(dir);
    }
  }
}

export default defineConfig({
  test: {
    projects: dirs.map((dir) => packageProject(dir, dir.replace(/^packages\//, ""))),
    reporters: ["default"],
  },
});
