/**
 * The dependency rule of issue 11, run by `npm run deps:check` (part of `npm test`, so CI fails when it breaks).
 * Type-only imports count like any other import, for reach-ins and for cycles: a type names the other file's
 * shape, so a type-only cycle couples two files as tightly as any other (they can only change together), even
 * though it is erased at run time.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles, type-only ones included.",
      from: {},
      to: { circular: true },
    },
    {
      name: "module-through-face",
      severity: "error",
      comment: "A module uses another module only through that module's index.ts.",
      from: { path: "^src/modules/([^/]+)/" },
      to: { path: "^src/modules/[^/]+/", pathNot: ["^src/modules/$1/", "^src/modules/[^/]+/index\\.ts$"] },
    },
    {
      name: "outside-through-face",
      severity: "error",
      comment: "The composition root, HTTP, CLI and seed code use a module only through its index.ts too.",
      from: { path: "^src/", pathNot: "^src/modules/" },
      to: { path: "^src/modules/[^/]+/", pathNot: "^src/modules/[^/]+/index\\.ts$" },
    },
    {
      name: "infrastructure-imports-no-module",
      severity: "error",
      comment: "src/shared, src/db, src/realtime and src/config sit below the modules and the composition root.",
      from: { path: "^src/(shared|db|realtime|config)/" },
      to: { path: "^src/", pathNot: "^src/(shared|db|realtime|config)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import the cruiser cannot resolve is an import it cannot check.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules"] },
    // See imports-only.babel.cjs: how .ts files are read without the TypeScript compiler API.
    babelConfig: { fileName: "tests/deps/imports-only.babel.cjs" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
