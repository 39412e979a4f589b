import type { FastifyInstance, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import { FleetError } from '../../src/fleet/errors.js';

/**
 * Fastify's typed schemas with zod, the contract's schema library: a route's `schema.body`,
 * `querystring`, `params` and `response` are zod schemas, its handler's request and reply are typed
 * from them, and a request that does not match is refused INVALID_INPUT with the offending fields.
 * (fastify-type-provider-zod does this too, but requires @fastify/swagger as a peer; this is all of it we need.)
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const result = (schema as z.ZodType).safeParse(data);
    if (result.success) return { value: result.data };
    const fields = result.error.issues.map((issue) => ({ part: httpPart ?? 'body', path: issue.path.join('.'), message: issue.message }));
    return { error: new FleetError('INVALID_INPUT', undefined, { fields }) };
  });
  // Response schemas type the handlers; the answers are plain JSON.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
