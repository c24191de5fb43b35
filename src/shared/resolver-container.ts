import type { GraphQLResolveInfo, GraphQLSchema } from "graphql";

type Class<T> = abstract new (...args: never[]) => T;

/** type-graphql's container: the resolver instances the composition root built, with their services. */
export class ResolverContainer {
  private readonly byClass = new Map<Function, object>();

  constructor(instances: readonly object[]) {
    for (const instance of instances) this.byClass.set(instance.constructor, instance);
  }

  get<T>(cls: Class<T>): T {
    const instance = this.byClass.get(cls);
    if (!instance) throw new Error(`no ${cls.name} was built: list it in src/schema.ts`);
    return instance as T;
  }
}

const bySchema = new WeakMap<GraphQLSchema, ResolverContainer>();

export function bindContainer(schema: GraphQLSchema, container: ResolverContainer): void {
  bySchema.set(schema, container);
}

/**
 * type-graphql calls a subscription's `subscribe` option without its resolver instance: this finds the instance
 * serving the schema being executed (each gateway builds its own schema with its own services).
 */
export function resolverFor<T>(info: GraphQLResolveInfo, cls: Class<T>): T {
  const container = bySchema.get(info.schema);
  if (!container) throw new Error("this schema was built without resolver instances");
  return container.get(cls);
}
