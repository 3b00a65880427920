# language: nl
Functionaliteit: Het Bijzonder Comité beslist over wat de maatschappelijk assistent niet alleen mag
  Een aanvraag buiten het mandaat van de maatschappelijk assistent gaat naar het Bijzonder Comité, met al
  haar redenen. Kan het budget het bedrag dekken, dan wordt het gereserveerd tot het
  comité beslist. Het comité keurt goed (dat bedrag of een ander), weigert met een motivering, of stuurt de
  aanvraag terug met een vraag; de maatschappelijk assistent dient ze dan opnieuw in. Een open aanvraag kan
  worden ingetrokken, goedgekeurde hulp geannuleerd, telkens met een reden. Alleen het comité beslist, en
  niemand beslist over hulp die hij zelf aanvroeg.

  Mia is de maatschappelijk assistent van het gezin, Carla zit in het comité, Fien werkt bij de financiële
  dienst en Ada is de beheerder.

  Achtergrond:
    Gegeven het demobeleid is van kracht
    En een budget energie voor 2026 van € 1.000,00
    En de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
      | Lena | 1 mei 2018    | kind      |
    En de maatschappelijk assistent heeft op 12 november 2026 voor Marc een energiefactuur van € 300,00 aangevraagd

  Scenario: Boven het mandaatplafond wacht de aanvraag op het comité, met een reservering
    Dan ligt de aanvraag bij het comité
    En het comité krijgt als enige reden "general.mandate_ceiling"
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er in het budget energie € 0,00 vastgelegd en € 300,00 gereserveerd
    En is er nog € 700,00 beschikbaar in het budget energie

  Scenario: Het comité keurt het gevraagde bedrag goed
    Als het comité de aanvraag goedkeurt
    Dan is de aanvraag goedgekeurd voor € 300,00
    En er is niets gereserveerd voor de aanvraag
    En is er in het budget energie € 300,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 700,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.committee_approved"
    En de keten van het logboek is heel

  Abstract Scenario: Het comité keurt een ander bedrag goed
    Als het comité de aanvraag goedkeurt voor <bedrag> met als motivering "<motivering>"
    Dan is de aanvraag goedgekeurd voor <bedrag>
    En er is niets gereserveerd voor de aanvraag
    En is er in het budget energie <bedrag> vastgelegd en € 0,00 gereserveerd
    En is er nog <beschikbaar> beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.committee_approved"

    Voorbeelden:
      | bedrag   | motivering                                                    | beschikbaar |
      | € 200,00 | Een derde van de factuur hoort bij de vorige bewoner          | € 800,00    |
      | € 350,00 | Met de eindafrekening erbij, om een afsluiting te vermijden   | € 650,00    |

  Scenario: Minder toekennen dan gevraagd moet het comité motiveren
    Als het comité de aanvraag goedkeurt voor € 200,00
    Dan wordt dit geweigerd met de melding "De motivering ontbreekt"
    En ligt de aanvraag bij het comité
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er nog € 700,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Het comité weigert met een motivering
    Als het comité de aanvraag weigert met als motivering "Het gezin kreeg dit jaar al een premie van de netbeheerder"
    Dan is de aanvraag geweigerd
    En er is niets gereserveerd voor de aanvraag
    En is er in het budget energie € 0,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.committee_refused"
    En de keten van het logboek is heel

  Scenario: Weigeren zonder motivering kan niet
    Als het comité de aanvraag weigert zonder motivering
    Dan wordt dit geweigerd met de melding "De motivering ontbreekt"
    En ligt de aanvraag bij het comité
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er nog € 700,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Het comité stuurt terug met een vraag, de maatschappelijk assistent dient opnieuw in
    Als het comité de aanvraag terugstuurt met de vraag "Loopt er een afbetalingsplan met de leverancier?"
    Dan is de aanvraag teruggestuurd
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er nog € 700,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.committee_returned"
    Als de maatschappelijk assistent de aanvraag opnieuw indient voor € 240,00 met als antwoord "Het plan loopt; er blijft € 240,00 open"
    Dan is de aanvraag goedgekeurd voor € 240,00
    En er is niets gereserveerd voor de aanvraag
    En is er in het budget energie € 240,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 760,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.resubmitted"
    En de keten van het logboek is heel

  Scenario: Opnieuw ingediend boven het mandaatplafond gaat weer naar het comité
    Gegeven het comité stuurt de aanvraag terug met de vraag "Loopt er een afbetalingsplan met de leverancier?"
    Als de maatschappelijk assistent de aanvraag opnieuw indient met als antwoord "Nee, de leverancier weigert een plan"
    Dan ligt de aanvraag bij het comité
    En het comité krijgt als enige reden "general.mandate_ceiling"
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er in het budget energie € 0,00 vastgelegd en € 300,00 gereserveerd
    Als het comité de aanvraag goedkeurt
    Dan is de aanvraag goedgekeurd voor € 300,00
    En is er nog € 700,00 beschikbaar in het budget energie

  Scenario: Een teruggestuurde aanvraag wacht op de maatschappelijk assistent
    Gegeven het comité stuurt de aanvraag terug met de vraag "Loopt er een afbetalingsplan met de leverancier?"
    Als het comité de aanvraag goedkeurt
    Dan wordt dit geweigerd met de melding "Dat kan niet: de aanvraag is teruggestuurd"
    En is de aanvraag teruggestuurd
    En het logboek kreeg er geen regel bij

  Abstract Scenario: Alleen het comité beslist over een aanvraag die het voorgelegd kreeg
    Als <wie> de aanvraag goedkeurt
    Dan wordt dit geweigerd met de melding "<melding>"
    En ligt de aanvraag bij het comité
    En er is € 300,00 gereserveerd voor de aanvraag
    En het logboek kreeg er geen regel bij

    Voorbeelden:
      | wie                          | melding                                                                 |
      | de maatschappelijk assistent | De rol maatschappelijk assistent mag dat niet (scheiding van functies) |
      | de financiële dienst         | De rol financiële dienst mag dat niet (scheiding van functies)         |

  Scenario: Niemand beslist over hulp die hij zelf aanvroeg
    Gegeven de beheerder geeft Mia de rol comité
    Als Mia de aanvraag goedkeurt
    Dan wordt dit geweigerd met de melding "Mia vroeg deze hulp zelf aan en mag er niet over beslissen"
    En ligt de aanvraag bij het comité
    En het logboek kreeg er geen regel bij
    Als Carla de aanvraag goedkeurt
    Dan is de aanvraag goedgekeurd voor € 300,00

  Scenario: De maatschappelijk assistent trekt een open aanvraag in
    Als de maatschappelijk assistent de aanvraag intrekt met als reden "Het OCMW van de vorige woonplaats betaalt"
    Dan is de aanvraag ingetrokken
    En er is niets gereserveerd voor de aanvraag
    En is er in het budget energie € 0,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.withdrawn"

  Scenario: Ook een teruggestuurde aanvraag kan worden ingetrokken
    Gegeven het comité stuurt de aanvraag terug met de vraag "Loopt er een afbetalingsplan met de leverancier?"
    Als de maatschappelijk assistent de aanvraag intrekt met als reden "De leverancier schold de factuur kwijt"
    Dan is de aanvraag ingetrokken
    En er is niets gereserveerd voor de aanvraag
    En is er nog € 1.000,00 beschikbaar in het budget energie

  Scenario: Goedgekeurde hulp annuleren geeft het vastgelegde bedrag vrij
    Gegeven het comité keurt de aanvraag goed
    Als het comité de hulp annuleert met als reden "De leverancier schold de factuur kwijt"
    Dan is de aanvraag geannuleerd
    En is er in het budget energie € 0,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "aid.cancelled"
    En de keten van het logboek is heel

  Scenario: Hulp die het comité toekende, annuleert de maatschappelijk assistent niet
    Gegeven het comité keurt de aanvraag goed
    Als de maatschappelijk assistent de hulp annuleert met als reden "Vergissing"
    Dan wordt dit geweigerd met de melding "Hulp die het comité toekende, kan alleen het comité annuleren"
    En is de aanvraag goedgekeurd voor € 300,00
    En het logboek kreeg er geen regel bij

  Scenario: Goedgekeurde hulp kan niet meer worden ingetrokken, wel geannuleerd
    Gegeven het comité keurt de aanvraag goed
    Als de maatschappelijk assistent de aanvraag intrekt met als reden "Vergissing"
    Dan wordt dit geweigerd met de melding "Dat kan niet: de aanvraag is goedgekeurd"
    En is de aanvraag goedgekeurd voor € 300,00
    En is er nog € 700,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Wat al gereserveerd was, kan het comité ook op een bevroren budget goedkeuren
    Gegeven de financiële dienst bevriest het budget energie met als reden "controle van de uitgaven"
    Als het comité de aanvraag goedkeurt
    Dan is de aanvraag goedgekeurd voor € 300,00
    En is er nog € 700,00 beschikbaar in het budget energie

  Scenario: Meer toekennen dan gereserveerd kan niet op een bevroren budget
    Gegeven de financiële dienst bevriest het budget energie met als reden "controle van de uitgaven"
    Als het comité de aanvraag goedkeurt voor € 350,00 met als motivering "Met de eindafrekening erbij"
    Dan wordt dit geweigerd met de melding "Het budget energie is bevroren: er gaat geen nieuw geld uit"
    En ligt de aanvraag bij het comité
    En er is € 300,00 gereserveerd voor de aanvraag
    En het logboek kreeg er geen regel bij
