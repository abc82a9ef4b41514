// Reading a parsed template before it is compiled: the save-time checks (valid names, Prefect's loop limits,
// the filter and test names Jinja resolves at compile time, tags a single template cannot use) and
// the names a scoped block assigns.
import nunjucks from "nunjucks";
import { TemplateError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import { invalidName, NAME } from "./names.ts";
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
  Import: "import",
  FromImport: "from … import",
  Include: "include",
  Extends: "extends",
  AsyncEach: "asyncEach",
  AsyncAll: "asyncAll",
  IfAsync: "ifAsync",
  CallExtension: "extension tags",
  CallExtensionAsync: "extension tags",
  FilterAsync: "async filters",
};

function* children(node: Node): Generator<Node> {
  for (const field of node.fields ?? []) {
    const v = node[field];
    if (v instanceof nodes.Node) yield v;
    else if (Array.isArray(v)) for (const c of v) if (c instanceof nodes.Node) yield c;
  }
}

const syntax = (message: string, node: Node) => new TemplateError("template_syntax", message, (node.lineno ?? 0) + 1);

/** A node that must be a plain name: a Symbol whose text is an identifier. */
function checkName(node: Node, what: string): void {
  if (!(node instanceof nodes.Symbol)) throw syntax(`expected a name for ${what}`, node);
  if (typeof node.value !== "string" || !NAME.test(node.value)) throw syntax(invalidName(node.value), node);
}

/** Every place a template gives a name: variables, assignment and loop targets, macro, block, parameter and keyword names. */
function checkNames(node: Node): void {
  if (node instanceof nodes.Symbol) checkName(node, "a variable");
  else if (node instanceof nodes.Set) {
    for (const t of node.targets) if (!(t instanceof nodes.LookupVal)) checkName(t, "an assignment");
  } else if (node instanceof nodes.For) {
    for (const t of node.name instanceof nodes.Array ? node.name.children : [node.name]) checkName(t, "a loop variable");
  } else if (node instanceof nodes.Macro) {
    // A call block's caller is named by the parser; a macro's name comes from the template.
    if (!(node instanceof nodes.Caller)) checkName(node.name, "a macro");
    for (const arg of node.args.children) {
      if (arg instanceof nodes.KeywordArgs) continue;
      checkName(arg, "a macro parameter");
    }
  } else if (node instanceof nodes.Block) checkName(node.name, "a block");
  else if (node instanceof nodes.KeywordArgs) {
    for (const pair of node.children) checkName(pair.key, "a keyword argument");
  } else if (node instanceof With) for (const t of node.targets) checkName(t, "a with variable");
  else if (node instanceof nodes.Filter) checkName(node.name, "a filter");
  else if (node instanceof nodes.Is) checkName(node.right.name ?? node.right, "a test");
}

/** The save-time checks: names, Prefect's loop limits, plus filters and tests that Jinja resolves at compile time. */
export function check(root: Node, filters: ReadonlySet<string>, tests: ReadonlySet<string>): void {
  let loops = 0;
  const visit = (node: Node, depth: number): void => {
    const what = UNSUPPORTED[node.typename];
    if (what) throw syntax(`${what} is not supported: a webhook template is a single template`, node);
    checkNames(node);
    if (node instanceof nodes.For) {
      loops++;
      depth++;
      if (loops > LIMITS.forLoops)
        throw new TemplateError(
          "template_limit",
          `Contains ${loops} for loops. Templates can contain no more than ${LIMITS.forLoops} for loops.`,
          node.lineno + 1,
        );
      if (depth > LIMITS.forDepth)
        throw new TemplateError(
          "template_limit",
          `Contains nested for loops at a depth of ${depth}. Templates can nest for loops no more than ${LIMITS.forDepth} loops deep.`,
          node.lineno + 1,
        );
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
