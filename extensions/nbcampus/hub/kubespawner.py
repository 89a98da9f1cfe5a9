"""The learner server spawner on Kubernetes: a KubeSpawner pod per learner.

Used when ``CampusSettings.platform`` is ``kubernetes`` (the zero-to-jupyterhub values in
``hub_config/k8s/``). CPU and memory limits, image, storage and network policy come from the
chart's ``singleuser`` values; this class adds what nbcampus needs in every learner pod.
"""

from __future__ import annotations

from kubespawner import KubeSpawner
from traitlets import Unicode

from nbcampus.hub.server_config import with_server_config


def is_staff(user) -> bool:
    """Admins, instructors and TAs (their hub roles come from the course files)."""
    roles = {role.name for role in getattr(user, "roles", [])}
    return bool(user.admin) or any(
        r.startswith(("nbcampus-instructor-", "nbcampus-ta-")) for r in roles
    )


class CampusKubeSpawner(KubeSpawner):
    """A learner's JupyterLab in its own pod, talking to the nbcampus service.

    The pod gets ``NBCAMPUS_API_URL`` (nbgrader's HTTP exchange, quizzes) and
    ``NBCAMPUS_PROVISION_LESSONS=1``: the hub cannot write into the pod's home, so the learner's
    server fetches its courses' lessons itself when it starts (``nbcampus.singleuser``), with its
    own token, as the local spawner does from the hub. Learners get ``learner_config_dir`` on
    their Jupyter config path (formgrader and authoring plugins off); staff do not. Both folders
    are paths inside the learner image.
    """

    service_api_url = Unicode(
        "",
        help="The nbcampus service API as learner pods reach it, "
        "e.g. http://nbcampus:10101/services/nbcampus/api/.",
    ).tag(config=True)
    common_config_dir = Unicode(
        "", help="Jupyter config directory (in the learner image) applied to every server."
    ).tag(config=True)
    learner_config_dir = Unicode(
        "", help="Jupyter config directory (in the learner image) applied to learners' servers."
    ).tag(config=True)

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        if self.service_api_url:
            env["NBCAMPUS_API_URL"] = self.service_api_url
            env["NBCAMPUS_PROVISION_LESSONS"] = "1"
        with_server_config(
            env, self.common_config_dir, self.learner_config_dir, is_staff(self.user)
        )
        return env
