// Prints file, keyword, start and end line (1-based) of every instruction dockerfile-ast finds.
const fs = require("fs");
const path = require("path");
const { DockerfileParser } = require("dockerfile-ast");
const dir = process.argv[2];
for (const name of fs.readdirSync(dir).sort()) {
  const df = DockerfileParser.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  for (const i of df.getInstructions()) {
    const r = i.getRange();
    console.log([name, i.getKeyword().toUpperCase(), r.start.line + 1, r.end.line + 1].join("\t"));
  }
}
