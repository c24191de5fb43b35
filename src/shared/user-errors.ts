import { Field, ObjectType } from "type-graphql";

/** A business-rule failure reported on a mutation payload (never thrown). */
export interface UserErrorValue<C extends string = string> {
  field: string[] | null;
  code: C;
  message: string;
}

export function userError<C extends string>(code: C, message: string, field?: string | string[]): UserErrorValue<C> {
  return { code, message, field: field === undefined ? null : Array.isArray(field) ? field : [field] };
}

/** Builds the `<Module>UserError` object type whose `code` is the module's own GraphQL enum. */
export function UserErrorType(name: string, codeEnum: object) {
  @ObjectType(name, { description: "A business rule this mutation refused; nothing was changed." })
  class UserError {
    @Field(() => [String], { nullable: true, description: "Path of the input field at fault, if any." })
    field!: string[] | null;

    @Field(() => codeEnum, { description: "Machine-readable reason." })
    code!: string;

    @Field(() => String, { description: "Human-readable explanation." })
    message!: string;
  }
  return UserError;
}
