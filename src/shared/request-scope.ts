import { AsyncLocalStorage } from "node:async_hooks";

/** The request id follows the request through async work, so the error formatter and logs can name it. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

export const currentRequestId = () => requestScope.getStore()?.requestId;
