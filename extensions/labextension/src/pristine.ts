/**
 * A notebook only looked at stays unmodified.
 *
 * When a kernel connects, JupyterLab writes the kernel's `language_info` and `kernelspec` into
 * the notebook's metadata (a newer Python patch version, "Python 3 (ipykernel)" for "Python 3",
 * the full language_info nbgrader's released copies leave out). That marks a lesson the learner
 * never touched as modified a few seconds after opening it, asks them to save it on close, and
 * re-marks a notebook they have just saved when the kernel comes up after the save.
 *
 * When the notebook was unmodified and the kernel is the one the notebook names, that write is
 * not the learner's change: the notebook stays unmodified and the new metadata goes to disk with
 * the learner's next save. Choosing another kernel is a change, and still marks it modified.
 *
 * Once the connected kernel's description has been applied, the panel carries
 * `data-nbc-kernel-info` with the kernel's name, so a page (or a test) can wait on that state.
 */
import type { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

const KERNEL_KEYS = new Set(['language_info', 'kernelspec']);

export function keepLookedAtNotebooksUnmodified(notebooks: INotebookTracker): void {
  notebooks.widgetAdded.connect((_, panel) => void watch(panel));
}

function kernelName(model: INotebookModel): string {
  const spec = model.getMetadata('kernelspec') as { name?: string } | undefined;
  return spec?.name || '';
}

async function watch(panel: NotebookPanel): Promise<void> {
  await panel.context.ready;
  const model = panel.model;
  if (!model || panel.isDisposed) {
    return;
  }
  // the kernel named by the notebook as it is on disk
  let saved = kernelName(model);
  panel.context.saveState.connect((_, state) => {
    if (state === 'completed') {
      saved = kernelName(model);
    }
  });
  model.metadataChanged.connect((_, change) => {
    // the shared model marks the notebook modified right after this signal, in the same call
    if (!KERNEL_KEYS.has(change.key) || model.dirty) {
      return;
    }
    const current = kernelName(model);
    if (saved && current && current !== saved) {
      return;
    }
    queueMicrotask(() => {
      if (!model.isDisposed) {
        model.dirty = false;
      }
    });
  });
  const session = panel.sessionContext;
  const mark = () => {
    delete panel.node.dataset.nbcKernelInfo;
    const kernel = session.session?.kernel;
    if (!kernel) {
      return;
    }
    // JupyterLab applies the description when these two promises settle, in microtasks: a
    // task queued after them runs once it has
    void Promise.all([kernel.info, kernel.spec]).then(() =>
      window.setTimeout(() => {
        if (!panel.isDisposed && session.session?.kernel === kernel) {
          panel.node.dataset.nbcKernelInfo = kernel.name;
        }
      }, 0)
    );
  };
  session.kernelChanged.connect(mark);
  mark();
}
