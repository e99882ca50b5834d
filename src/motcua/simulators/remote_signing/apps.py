from django.apps import AppConfig


class RemoteSigningSimulatorConfig(AppConfig):
    """A remote signing service (simulated): keys of the local test PKI, each signature
    confirmed by the signer on a page standing in for their phone app."""

    name = "motcua.simulators.remote_signing"
    label = "sim_remote_signing"
    verbose_name = "Remote signing service simulator"
