// Bootstrap 5.3.8 (npm) cut down to the selectors the portal uses (PurgeCSS), at install time.
// Called by scripts/build_css.py, which passes the content globs (templates, Python, JS) and
// the output path as JSON in argv[2]. Never edit the output: it is rebuilt from the package.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PurgeCSS } from "purgecss";

const { css, content, output } = JSON.parse(process.argv[2]);
const [result] = await new PurgeCSS().purge({
  css: [css],
  content,
  // Django templates: class names appear inside {% %} and {{ }}, and Python/JS strings.
  defaultExtractor: (text) => text.match(/[A-Za-z0-9_-]+/g) || [],
  // Built from template variables (alert-{{ level }}, text-bg-… from invoices/presentation.py),
  // or added by Bootstrap's JS at run time (show, collapsing, modal-open, fade…).
  safelist: {
    standard: [/^alert-(primary|secondary|success|danger|warning|info|light|dark)$/,
      /^text-bg-/, /^show$/, /^fade$/, /^collapsing$/, /^collapse$/, /^modal/,
      /^was-validated$/, /^is-(in)?valid$/, /^active$/, /^disabled$/, /^modal-backdrop$/,
      /^modal-open$/, /^modal-static$/],
  },
  // Custom properties that no kept rule reads.
  variables: true,
  keyframes: true,
  fontFace: true,
});
// The package's source-map comment names a file that is not shipped (collectstatic would fail).
const text = result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\//g, "");
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, `/* Bootstrap v5.3.8 (MIT), subset built by scripts/build_css.py */\n${text}`);
console.log(`${output}: ${readFileSync(css).length} → ${Buffer.byteLength(text)} bytes`);
