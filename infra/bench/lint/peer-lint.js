// Lints every file below a directory with dockerfile-utils in one process (the peer side of bench-lint.sh).
const fs = require("fs");
const path = require("path");
const { validate } = require("dockerfile-utils");
let files = 0, problems = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else { problems += validate(fs.readFileSync(full, "utf8")).length; files++; }
  }
}
walk(process.argv[2]);
console.log(`${files} files, ${problems} problems`);
