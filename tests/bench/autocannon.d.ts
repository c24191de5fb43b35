// autocannon ships no types; the bench uses its programmatic API only (tests/bench/http-load.ts).
declare module "autocannon";
