import { compileTemplate, renderTemplate, TemplateError, type TemplateRequest } from "../../src/templates/render.ts";

export function request(body: unknown = "", headers: Record<string, string> = {}, method = "POST"): TemplateRequest {
  return { method, headers, body, query: {} };
}

export const render = (template: string, req: TemplateRequest = request()) => renderTemplate(compileTemplate(template), req);

/** The TemplateError a template raises, compiling or rendering. */
export function failure(template: string, req: TemplateRequest = request()): TemplateError {
  try {
    render(template, req);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`expected ${template} to fail`);
}
