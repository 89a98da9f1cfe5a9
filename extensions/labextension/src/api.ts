/**
 * Calls from the Courses panel to its own Jupyter server (the nbcampus server extension).
 *
 * The browser never holds a hub token: `service()` goes to `/nbcampus/api/<path>` on this
 * server, which forwards a whitelist of paths to the nbcampus service with the server's token.
 * ServerConnection adds the server's XSRF token to every request.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

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

  /** A call to the nbcampus service through the server's forwarder. */
  service<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return this.call<T>(`api/${path}`, init);
  }

  /** fetch, submit, fetch_feedback or release through nbgrader's exchange in the server. */
  assignment<T>(course: string, assignment: string, action: string): Promise<T> {
    return this.call<T>(
      `assignments/${encodeURIComponent(course)}/${encodeURIComponent(assignment)}/${action}`,
      { method: 'POST' }
    );
  }
}
