import { LitElement } from 'lit';

/**
 * A Lit element that renders into its own light DOM, so the app's one stylesheet (served from the
 * app's origin, CSP `style-src 'self'`) styles every panel and end-to-end tests reach every control.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
