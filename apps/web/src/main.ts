// Entry point: defines the app's custom elements; index.html holds <contour-app>.
import './components/contour-app.js';
