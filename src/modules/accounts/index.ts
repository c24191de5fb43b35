/** Accounts' face: users, roles and bans, identity (tokens, external providers) and the staff bootstrap. */
export { toUser, User, UserConnection } from "./user.type.js";
export { accountLoaders } from "./accounts.loaders.js";
export { BootstrapError, changeRole, createStaffUser, ensureBootstrapAdmin } from "./accounts.bootstrap.js";
export { AccountErrorCode, AccountsService, activeViewer } from "./accounts.service.js";
export { IdentityService, type KnownUser } from "./identity.service.js";
export { accountNodes, AccountsResolver } from "./accounts.resolver.js";
