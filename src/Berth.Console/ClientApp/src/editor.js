// berth-console's Compose editor: CodeMirror 6 over the form's textarea (progressive enhancement: without this
// script the textarea is posted as it is). The textarea stays in the form, hidden, and is kept in step, so the form
// posts what the editor shows. Diagnostics come from Berth's loader on the server (/api/stacks/validate), asked
// ~500 ms after the last keystroke, and are shown at their lines with @codemirror/lint.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, foldGutter } from "@codemirror/language";
import { linter, lintGutter, lintKeymap } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { yaml } from "@codemirror/lang-yaml";

const textarea = document.getElementById("compose");
const form = textarea && textarea.form;
if (textarea && form) {
  const field = (name) => form.elements.namedItem(name);
  const value = (name) => (field(name) && field(name).value) || "";
  let lastCheck = null;

  // The server's diagnostics of compose.yaml, at their lines; the form's own fields' problems at line 1.
  const validate = async (view) => {
    const response = await fetch(textarea.dataset.validate, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "RequestVerificationToken": value("__RequestVerificationToken") },
      body: JSON.stringify({
        name: value("name"),
        orchestrator: value("orchestrator"),
        namespace: value("namespace"),
        compose: view.state.doc.toString(),
        env: value("env"),
        draft: value("draft"),
      }),
    });
    if (!response.ok) {
      return [];
    }

    const result = await response.json();
    lastCheck = result;
    const doc = view.state.doc;
    return result.diagnostics
      .filter((d) => d.file === "compose.yaml" || d.line === 0)
      .map((d) => {
        const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
        const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
        const where = d.file === "compose.yaml" ? "" : `${d.file}: `;
        return {
          from,
          to: from === line.to ? from : line.to,
          severity: d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info",
          source: d.code,
          message: where + d.message + (d.hint ? ` (${d.hint})` : ""),
        };
      });
  };

  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        lintGutter(),
        linter(validate, { delay: 500 }),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": "Compose file", "aria-describedby": "compose-help" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
          }
        }),
      ],
    }),
  });

  const help = document.createElement("p");
  help.id = "compose-help";
  help.className = "hint";
  help.textContent = "Checked by Berth's loader as you type. Tab indents; press Escape then Tab to leave the editor. Ctrl-Shift-M lists the problems.";
  textarea.hidden = true;
  textarea.after(view.dom, help);
  document.querySelector('label[for="compose"]')?.addEventListener("click", () => view.focus());
  form.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
  });
  // For tests and for the links of the server-rendered list: the editor and the last answer.
  window.berthEditor = { view, lastCheck: () => lastCheck };
}
