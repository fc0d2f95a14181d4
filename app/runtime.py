"""Build a device's call engine from its config folder (Qt-free, shared by GUI and demo)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.audio_settings import load as load_audio
from app.cli_logs import log_secret, retention
from app.feature_settings import FeatureSettings
from app.feature_settings import load as load_features
from app.settings import SettingsStore
from media.engine import Engine, EngineConfig
from media.features.hub import FeatureConfig
from media.impair import Impairment
from media.peer import LocalMedia
from media.ports import EngineListener
from media.session import SessionSettings
from media.signaling_port import client_port_factory
from pairing.bundle import ice_servers_json
from pairing.device import DeviceConfig, load_crl, load_device, store_crl
from pairing.keystore import KeyStore, open_keystore
from privacy.files import state_dir
from privacy.store import ConnectionLog


@dataclass(frozen=True)
class DeviceRuntime:
    """An enrolled device's folder and how to reach its peer."""

    folder: Path
    device: DeviceConfig
    signaling_urls: tuple[str, ...]  # the bundle's, or the demo's embedded server(s)
    keystore: KeyStore

    @classmethod
    def load(
        cls,
        folder: Path,
        *,
        dev_keyring: bool | None = None,
        signaling_url: str | Sequence[str] | None = None,
    ) -> DeviceRuntime:
        """Raises pairing.device.NotEnrolled (a PairingError) if not enrolled yet."""
        store = open_keystore(folder, dev=dev_keyring)
        device = load_device(folder, store)
        urls = device.signaling_urls if signaling_url is None else signaling_url
        return cls(folder, device, (urls,) if isinstance(urls, str) else tuple(urls), store)

    def open_log(self) -> ConnectionLog:
        """This device's connection log, with its audit secret and retention setting.

        Opened by the engine's owner (the app holds the folder's lock, the demo owns
        its folders): it closes what a previous run left open."""
        return ConnectionLog.open(
            state_dir(self.folder),
            secret=log_secret(self.folder, self.keystore),
            retention=retention(self.folder),
            owner=True,
        )

    def feature_settings(self) -> FeatureSettings:
        """The technician's feature settings (defaults if none or damaged)."""
        return load_features(SettingsStore(self.folder))

    def engine(
        self,
        listener: EngineListener,
        media: LocalMedia,
        *,
        confirm_sending: bool = False,
        loopback_only: bool = False,
        session: SessionSettings | None = None,
        measure: bool = False,
        features: FeatureConfig | None = None,
        impairment: Impairment | None = None,
    ) -> Engine:
        """``features``: the stored technician settings unless given (tests, benchmarks)."""
        crl = load_crl(self.folder)
        config = EngineConfig(
            credentials=self.device.credentials,
            ice_servers=ice_servers_json(self.device.ice_servers),
            media=media,
            session=session or SessionSettings(),
            loopback_only=loopback_only,
            crl=crl,
            store_crl=functools.partial(store_crl, self.folder),
            confirm_sending=confirm_sending,
            measure=measure,
            connection_log=self.open_log(),
            features=self.feature_settings().feature_config() if features is None else features,
            impairment=impairment,  # benchmarks across the network lab only
            audio=load_audio(SettingsStore(self.folder)),  # the technician's stages
        )
        port = client_port_factory(self.signaling_urls, self.device.credentials, crl=crl)
        return Engine(config, port, listener)
