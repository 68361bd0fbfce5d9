import { html, nothing, type TemplateResult } from 'lit';

/** Options of {@link dataTable}. */
export interface DataTableOptions {
  readonly id: string;
  readonly caption: string;
  /** Keep the caption for screen readers only (the heading around the table says it already). */
  readonly hiddenCaption?: boolean;
  /** Column headings, the first one heading the row headers. */
  readonly columns: readonly string[];
  /** The rows, each a `<tr>` whose first cell is a `<th scope="row">`. */
  readonly rows: readonly TemplateResult[];
}

/**
 * A captioned data table in a horizontally scrolling box (narrow screens keep every column): the
 * shape of every table of results and every chart's table alternative in the app.
 */
export function dataTable(options: DataTableOptions): TemplateResult {
  return html`<div class="table-scroll">
    <table class="data-table" id=${options.id}>
      <caption class=${options.hiddenCaption ? 'visually-hidden' : nothing}>${options.caption}</caption>
      <thead>
        <tr>
          ${options.columns.map((column) => html`<th scope="col">${column}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${options.rows}
      </tbody>
    </table>
  </div>`;
}
