/**
 * Calls from the Courses panel to its own Jupyter server (the nbcampus server extension).
 *
 * The browser never holds a hub token: `get()` and `post()` go to `/nbcampus/api/<path>` on this
 * server, which forwards a whitelist of paths to the nbcampus service with the server's token.
 * ServerConnection adds the server's XSRF token to every request.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { Answer, Body, ServicePath } from './types';

type ParamNames<P> = P extends `${string}{${infer K}}${infer Rest}` ? K | ParamNames<Rest> : never;
/** The values of a document path's `{parameters}`. */
export type PathParams<P> = Record<ParamNames<P>, string>;

/** A refusal from the service or the server extension, with its message. */
export class CampusError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export class CampusAPI {
  readonly settings = ServerConnection.makeSettings();

  /** Call the server extension at `nbcampus/<path>`; resolve with the JSON answer. */
  async call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.settings.baseUrl, 'nbcampus', path);
    const response = await ServerConnection.makeRequest(url, init, this.settings);
    const text = await response.text();
    let data: any = {};
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { message: text.slice(0, 200) };
    }
    if (!response.ok) {
      throw new CampusError(data.message || response.statusText, response.status);
    }
    return data as T;
  }

  /**
   * `GET` a service path of the OpenAPI document (e.g. `/api/courses/{course}/deadlines`), its
   * parameters filled in, through the server's forwarder; typed by the document's answer.
   */
  get<P extends ServicePath<'get'>>(path: P, params: PathParams<P>, query: Record<string, string> = {}): Promise<Answer<P, 'get'>> {
    return this.service<Answer<P, 'get'>>(servicePath(path, params, query), 'GET');
  }

  /** `POST` a body to a service path of the OpenAPI document, typed by the document. */
  post<P extends ServicePath<'post'>>(path: P, params: PathParams<P>, body: Body<P, 'post'>): Promise<Answer<P, 'post'>> {
    return this.service<Answer<P, 'post'>>(servicePath(path, params, {}), 'POST', body ?? {});
  }

  /** `PATCH` a body to a service path of the OpenAPI document, typed by the document. */
  patch<P extends ServicePath<'patch'>>(path: P, params: PathParams<P>, body: Body<P, 'patch'>): Promise<Answer<P, 'patch'>> {
    return this.service<Answer<P, 'patch'>>(servicePath(path, params, {}), 'PATCH', body ?? {});
  }

  private service<T>(path: string, method: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return this.call<T>(path, init);
  }

  /** fetch, submit, fetch_feedback or release through nbgrader's exchange in the server. */
  assignment<T>(course: string, assignment: string, action: string): Promise<T> {
    return this.call<T>(
      `assignments/${encodeURIComponent(course)}/${encodeURIComponent(assignment)}/${action}`,
      { method: 'POST' }
    );
  }
}

/** `/api/courses/{course}` with its parameters: the forwarder's `api/courses/python-data`. */
export function servicePath(path: string, params: Record<string, string>, query: Record<string, string>): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
  const search = new URLSearchParams(query).toString();
  return filled.replace(/^\//, '') + (search ? `?${search}` : '');
}
