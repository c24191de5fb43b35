import { AsyncLocalStorage } from "node:async_hooks";

/** The request id follows the request through async work, so the error formatter and logs can name it. */
export const requestScope = new AsyncLocalStorage<{ requestId: string; clientAddress?: string }>();

export const currentRequestId = () => requestScope.getStore()?.requestId;

/** The caller's address (behind TRUST_PROXY_HOPS proxies), the rate-limit key of anonymous callers. */
export const currentClientAddress = () => requestScope.getStore()?.clientAddress;
