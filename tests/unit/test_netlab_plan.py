"""The lab's address plan, names, rule texts and requirement check (no root needed)."""

from __future__ import annotations

import ipaddress

import pytest

import netlab
from netlab import rules, system
from netlab.topology import (
    IFNAMSIZ,
    LAB_NET,
    SITES,
    mobile_plan,
    namespace_tag,
    new_tag,
    site_plan,
    tag_pid,
)


@pytest.mark.parametrize("pid", [1, 33, 4_194_304, 99_999])
def test_a_tag_carries_its_pid(pid: int) -> None:
    tag = new_tag(pid)
    assert tag_pid(tag) == pid
    assert namespace_tag(f"kgl{tag}-home-nat") == tag


@pytest.mark.parametrize("name", ["kgl", "kgl-home", "other-home", "kglzz-home", "kgl12xq-x"])
def test_foreign_names_have_no_pid(name: str) -> None:
    tag = namespace_tag(name)
    assert tag is None or tag_pid(tag) is None


def test_every_address_is_in_the_benchmarking_range_and_every_name_fits() -> None:
    tag = new_tag(4_194_304)  # the longest pid Linux hands out
    names: list[str] = []
    addresses = [netlab.SERVER_IP, netlab.TURN_IP]
    for site in SITES:
        plan, mobile = site_plan(site, tag), mobile_plan(site, tag)
        names += [plan.lan_router_if, plan.lan_device_if]
        addresses += [plan.device_ip, plan.router_lan_ip]
        # The laptop's own 4G link and its carrier's router (Lab(mobile=...)).
        names += [mobile.lan_router_if, mobile.link.device_if]
        names += [mobile.uplink.router_if, mobile.uplink.core_if]
        addresses += [mobile.link.device_ip, mobile.link.gateway]
        addresses += [mobile.uplink.public_ip, mobile.uplink.core_ip]
        for link in plan.uplinks:
            names += [link.router_if, link.core_if]
            addresses += [link.public_ip, link.core_ip]
    assert all(len(name) <= IFNAMSIZ for name in names)
    assert len(set(names)) == len(names)
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(address) in LAB_NET for address in addresses)


def test_only_the_cgnat_maps_every_flow_to_a_new_port() -> None:
    texts = {site: rules.router_rules(site_plan(site, "t")) for site in SITES}
    assert [site for site, text in texts.items() if "--random-fully" in text] == ["cgnat"]
    assert "-p udp -j DROP" in texts["hospital"]
    assert "--dport 443 -d 198.18.0.0/24 -j ACCEPT" in texts["school"]


def test_dropped_packets_sums_the_drop_rules() -> None:
    listing = """Chain KGLEAK (2 references)
    pkts      bytes target     prot opt in     out     source               destination
      40     3360 RETURN     0    --  *      *       0.0.0.0/0            198.18.0.0/15
       2      120 RETURN     0    --  *      *       0.0.0.0/0            127.0.0.0/8
       3      252 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0
"""
    assert rules.dropped_packets(listing) == 3


def test_missing_tools_are_named_in_one_dutch_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(system.shutil, "which", lambda tool: None if tool != "tc" else "/tc")
    with pytest.raises(netlab.LabUnavailable) as caught:
        netlab.check_requirements()
    text = str(caught.value)
    assert text.startswith("Het netwerklab kan op deze computer niet worden gebouwd: er ontbreekt ")
    assert "root-rechten" in text and "iptables" in text and "turnserver" in text
    assert "het programma tc" not in text
    assert text.count(".") == 1 and text.endswith(".")


def test_an_unknown_site_is_refused_before_anything_is_built() -> None:
    with pytest.raises(netlab.UnknownPlace, match="moon"):
        netlab.Lab(sites=("home", "moon"))
    with pytest.raises(netlab.UnknownPlace, match="school"):
        netlab.Lab(sites=("home",), mobile=("school",))  # 4G for a site not built


def test_the_4g_router_guards_and_gives_every_flow_a_new_port() -> None:
    text = rules.mobile_rules(mobile_plan("home", "t"))
    assert "-A KGLEAK -j DROP" in text and "-A FORWARD -j KGLEAK" in text
    assert "-j MASQUERADE --random-fully" in text
    assert "-A FORWARD ! -i th1gr -j DROP" in text  # nothing unsolicited from outside
