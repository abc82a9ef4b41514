// Reading a parsed template before it is compiled: the save-time checks (Prefect's loop limits,
// the filter and test names Jinja resolves at compile time, tags a single template cannot use) and
// the names a scoped block assigns.
import nunjucks from "nunjucks";
import { TemplateError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import { With } from "./parser.ts";

type Node = any;
const { nodes } = nunjucks as unknown as { nodes: any };

/** Names a block assigns with `set`, outside nested loops, with blocks and macros (scopes of their own). */
export function assignedNames(body: Node): Set<string> {
  const found = new Set<string>();
  const visit = (node: Node): void => {
    if (node instanceof nodes.For || node instanceof nodes.Macro || node instanceof With) return;
    if (node instanceof nodes.Set) for (const t of node.targets) if (t instanceof nodes.Symbol) found.add(t.value);
    for (const child of children(node)) visit(child);
  };
  visit(body);
  return found;
}

const UNSUPPORTED: Record<string, string> = {
  Import: "import", FromImport: "from … import", Include: "include", Extends: "extends",
  AsyncEach: "asyncEach", AsyncAll: "asyncAll", IfAsync: "ifAsync", CallExtension: "extension tags",
  CallExtensionAsync: "extension tags", FilterAsync: "async filters",
};

function* children(node: Node): Generator<Node> {
  for (const field of node.fields ?? []) {
    const v = node[field];
    if (v instanceof nodes.Node) yield v;
    else if (Array.isArray(v)) for (const c of v) if (c instanceof nodes.Node) yield c;
  }
}

const syntax = (message: string, node: Node) => new TemplateError("template_syntax", message, (node.lineno ?? 0) + 1);

/** The save-time checks: Prefect's loop limits, plus names that Jinja resolves at compile time. */
export function check(root: Node, filters: ReadonlySet<string>, tests: ReadonlySet<string>): void {
  let loops = 0;
  const visit = (node: Node, depth: number): void => {
    const what = UNSUPPORTED[node.typename];
    if (what) throw syntax(`${what} is not supported: a webhook template is a single template`, node);
    if (node instanceof nodes.For) {
      loops++;
      depth++;
      if (loops > LIMITS.forLoops) throw new TemplateError("template_limit", `Contains ${loops} for loops. Templates can contain no more than ${LIMITS.forLoops} for loops.`, node.lineno + 1);
      if (depth > LIMITS.forDepth) throw new TemplateError("template_limit", `Contains nested for loops at a depth of ${depth}. Templates can nest for loops no more than ${LIMITS.forDepth} loops deep.`, node.lineno + 1);
    }
    if (node instanceof nodes.Filter && !filters.has(node.name.value)) throw syntax(`No filter named '${node.name.value}'.`, node);
    if (node instanceof nodes.Is) {
      const name = node.right.name ? node.right.name.value : node.right.value;
      if (!tests.has(name)) throw syntax(`No test named '${name}'.`, node);
    }
    for (const c of children(node)) visit(c, depth);
  };
  visit(root, 0);
}
