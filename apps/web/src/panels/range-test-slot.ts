import { html } from 'lit';
import { LightElement } from '../components/light-element.js';

/**
 * The learning-rate range test's place in the app. It arrives with the find-lr issue (#6): the
 * core has no range test yet, and the app will not imitate one.
 */
export class RangeTestSlot extends LightElement {
  protected override render() {
    return html`<section aria-labelledby="range-test-heading" class="placeholder">
      <h2 id="range-test-heading">Range test</h2>
      <p class="notice" role="note">
        <strong>Not available yet.</strong> The learning-rate range test (fastai's <code>lr_find</code>: an
        exponential sweep of the rate over a few hundred batches, the smoothed loss on a log-rate axis and the
        valley / steep / minimum suggestions) arrives with the find-lr issue (#6). This panel will run the same
        <code>@contour/core</code> range test as <code>contour find-lr</code>; until then it shows nothing rather than
        an imitation.
      </p>
    </section>`;
  }
}

customElements.define('range-test-slot', RangeTestSlot);
