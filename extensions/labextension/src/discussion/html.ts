/**
 * The one place the Discussion view puts HTML into the page: a post's body as the service
 * rendered and sanitised it (markdown-it without raw HTML, then nh3), sanitised once more here
 * by JupyterLab's own sanitiser, so neither lock alone makes a post live.
 */
import { Sanitizer } from '@jupyterlab/apputils';
import { h } from '../shared/dom';

const sanitizer = new Sanitizer();

/** A `div` holding the service's rendered post body, inert. */
export function postBody(html: string, cls = 'nbc-post-body'): HTMLElement {
  const div = h('div', { class: cls });
  div.innerHTML = sanitizer.sanitize(html);
  div.querySelectorAll('a').forEach(a => {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'nofollow noopener noreferrer');
  });
  return div;
}
