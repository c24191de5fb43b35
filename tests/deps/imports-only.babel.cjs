/**
 * dependency-cruiser 17 parses TypeScript with the `typescript` package only up to 5.x, and this project is on
 * TypeScript 7 (no JS compiler API). It can instead run a Babel config over .ts files and read the result with
 * acorn. Babel's parser reads TypeScript and decorators; this plugin then keeps only the module's dependencies
 * (static imports and re-exports, dynamic import(), `import("x").T` types, `import x = require("x")`) as plain
 * JavaScript, so nothing TypeScript-specific needs transpiling. Type-only imports come out as plain imports on
 * purpose: a type-only reach-in is still a reach-in (see dependency-cruiser.cjs for cycles).
 */
function importsOnly({ types: t }) {
  return {
    manipulateOptions(_opts, parserOpts) {
      parserOpts.plugins.push("typescript", "decorators-legacy");
    },
    visitor: {
      Program: {
        exit(program) {
          const out = [];
          const importOf = (source) => out.push(t.importDeclaration([], t.stringLiteral(source)));
          program.traverse({
            ImportDeclaration(path) {
              importOf(path.node.source.value);
            },
            ExportAllDeclaration(path) {
              out.push(t.exportAllDeclaration(t.stringLiteral(path.node.source.value)));
            },
            ExportNamedDeclaration(path) {
              if (path.node.source) out.push(t.exportAllDeclaration(t.stringLiteral(path.node.source.value)));
            },
            CallExpression(path) {
              const [arg] = path.node.arguments;
              if (path.node.callee.type === "Import" && arg?.type === "StringLiteral") {
                out.push(t.expressionStatement(t.callExpression(t.import(), [t.stringLiteral(arg.value)])));
              }
            },
            TSImportType(path) {
              const arg = path.node.argument;
              importOf(arg.type === "StringLiteral" ? arg.value : arg.literal.value);
            },
            TSExternalModuleReference(path) {
              importOf(path.node.expression.value);
            },
          });
          program.node.body = out;
          program.node.directives = [];
        },
      },
    },
  };
}

module.exports = { babelrc: false, configFile: false, sourceType: "module", plugins: [importsOnly] };
