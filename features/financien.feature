# language: nl
Functionaliteit: De financiële dienst beheert de budgetten
  De financiële dienst opent per thema en per begrotingsjaar een budget, stort bij of vermindert met een
  reden, verschuift geld tussen thema's en bevriest een budget. Wat beschikbaar is, volgt altijd uit het
  grootboek van het budget (toegekend ± aanpassingen ± verschuivingen − vastgelegde hulp − reserveringen voor
  het comité) en zakt nooit onder nul. Elke wijziging komt in het beslissingslogboek.
  Scheiding van functies: de maatschappelijk assistent en het comité komen niet aan de budgetten.

  Achtergrond:
    Gegeven het demobeleid is van kracht
    En een budget energie voor 2026 van € 1.000,00

  Scenario: Een budget openen
    Als de financiële dienst een budget onderwijs voor 2026 opent met € 2.500,00
    Dan is er nog € 2.500,00 beschikbaar in het budget onderwijs
    En het logboek kreeg er één regel bij: "envelope.opened"

  Scenario: Bijstorten met een reden
    Als de financiële dienst € 250,00 bijstort op het budget energie met als reden "winterprik"
    Dan is er nog € 1.250,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "envelope.adjusted"

  Scenario: Verminderen met een reden
    Gegeven de financiële dienst stort € 250,00 bij op het budget energie met als reden "winterprik"
    Als de financiële dienst het budget energie met € 200,00 vermindert met als reden "bijsturing na de begrotingswijziging"
    Dan is er nog € 1.050,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "envelope.adjusted"
    En de keten van het logboek is heel

  Scenario: Een vermindering onder nul wordt geweigerd en verandert niets
    Gegeven de financiële dienst stort € 250,00 bij op het budget energie met als reden "winterprik"
    En de financiële dienst vermindert het budget energie met € 200,00 met als reden "bijsturing"
    Als de financiële dienst het budget energie met € 1.100,00 vermindert met als reden "besparing"
    Dan wordt dit geweigerd met de melding "Het budget energie heeft nog € 1.050,00 beschikbaar; er is € 1.100,00 nodig (€ 50,00 te weinig)"
    En is er nog € 1.050,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Een vermindering tot precies nul mag
    Als de financiële dienst het budget energie met € 1.000,00 vermindert met als reden "budget afgebouwd"
    Dan is er nog € 0,00 beschikbaar in het budget energie

  Scenario: Bijstorten zonder reden wordt geweigerd
    Als de financiële dienst € 250,00 bijstort op het budget energie met als reden ""
    Dan wordt dit geweigerd met de melding "Een reden is verplicht"
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Geld verschuiven van kleding naar energie, beide kanten in één keer
    Gegeven een budget kleding voor 2026 van € 500,00
    Als de financiële dienst € 100,00 verschuift van het budget kleding naar het budget energie met als reden "strenge winter"
    Dan is er nog € 400,00 beschikbaar in het budget kleding
    En is er nog € 1.100,00 beschikbaar in het budget energie
    En het logboek kreeg er één regel bij: "envelope.transferred"
    En de keten van het logboek is heel

  Scenario: Meer verschuiven dan er beschikbaar is, wordt geweigerd
    Gegeven een budget kleding voor 2026 van € 500,00
    Als de financiële dienst € 600,00 verschuift van het budget kleding naar het budget energie met als reden "strenge winter"
    Dan wordt dit geweigerd met de melding "Het budget kleding heeft nog € 500,00 beschikbaar; er is € 600,00 nodig (€ 100,00 te weinig)"
    En is er nog € 500,00 beschikbaar in het budget kleding
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

  Scenario: Een bevroren budget stuurt elke aanvraag naar het comité
    Gegeven de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
      | Lena | 1 mei 2018    | kind      |
    Als de financiële dienst het budget energie bevriest met als reden "controle van de uitgaven"
    Dan is het budget energie bevroren
    En het logboek kreeg er één regel bij: "envelope.frozen"
    Als de maatschappelijk assistent op 12 november 2026 voor Marc een energiefactuur van € 150,00 aanvraagt
    Dan ligt de aanvraag bij het comité
    En het comité krijgt als enige reden "general.envelope_frozen"
    En er is niets gereserveerd voor de aanvraag
    En is er nog € 1.000,00 beschikbaar in het budget energie

  Scenario: Na het ontdooien beslist de maatschappelijk assistent weer zelf
    Gegeven de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
    En de financiële dienst bevriest het budget energie met als reden "controle van de uitgaven"
    Als de financiële dienst het budget energie ontdooit met als reden "controle afgerond"
    Dan is het budget energie niet bevroren
    En het logboek kreeg er één regel bij: "envelope.unfrozen"
    Als de maatschappelijk assistent op 12 november 2026 voor Marc een energiefactuur van € 150,00 aanvraagt
    Dan is de aanvraag goedgekeurd voor € 150,00
    En is er nog € 850,00 beschikbaar in het budget energie

  Scenario: De financiële dienst kan een bevroren budget nog bijstorten
    Gegeven de financiële dienst bevriest het budget energie met als reden "controle van de uitgaven"
    Als de financiële dienst € 250,00 bijstort op het budget energie met als reden "winterprik"
    Dan is er nog € 1.250,00 beschikbaar in het budget energie
    En is het budget energie bevroren

  Abstract Scenario: Alleen de financiële dienst komt aan de budgetten
    Als <wie> € 250,00 bijstort op het budget energie met als reden "winterprik"
    Dan wordt dit geweigerd met de melding "<melding>"
    En is er nog € 1.000,00 beschikbaar in het budget energie
    En het logboek kreeg er geen regel bij

    Voorbeelden:
      | wie                          | melding                                                                  |
      | de maatschappelijk assistent | De rol maatschappelijk assistent mag dat niet (scheiding van functies) |
      | het comité                   | De rol comité mag dat niet (scheiding van functies)                    |
      | de beleidsmedewerker         | De rol beleidsmedewerker mag dat niet (scheiding van functies)         |

  Scenario: Goedgekeurde hulp wordt vastgelegd, hulp voor het comité gereserveerd
    Gegeven de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
    Als de maatschappelijk assistent op 12 november 2026 voor Marc een energiefactuur van € 100,00 aanvraagt
    Dan is de aanvraag goedgekeurd voor € 100,00
    En is er in het budget energie € 100,00 vastgelegd en € 0,00 gereserveerd
    En is er nog € 900,00 beschikbaar in het budget energie
    Als de maatschappelijk assistent op 20 november 2026 voor Marc een energiefactuur van € 300,00 aanvraagt
    Dan ligt de aanvraag bij het comité
    En het comité krijgt als enige reden "general.mandate_ceiling"
    En er is € 300,00 gereserveerd voor de aanvraag
    En is er in het budget energie € 100,00 vastgelegd en € 300,00 gereserveerd
    En is er nog € 600,00 beschikbaar in het budget energie

  Scenario: Wat het budget niet kan dekken, gaat zonder reservering naar het comité
    Gegeven de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
    En de financiële dienst vermindert het budget energie met € 900,00 met als reden "bijsturing"
    Als de maatschappelijk assistent op 12 november 2026 voor Marc een energiefactuur van € 150,00 aanvraagt
    Dan ligt de aanvraag bij het comité
    En het comité krijgt als enige reden "general.envelope_cover"
    En er is niets gereserveerd voor de aanvraag
    En is er nog € 100,00 beschikbaar in het budget energie

  Scenario: Een vermindering houdt rekening met vastgelegde en gereserveerde hulp
    Gegeven de maatschappelijk assistent beheert het dossier "OCMW-2026-0042" van het gezin:
      | naam | geboren       | relatie   |
      | Marc | 3 maart 1985  | aanvrager |
    En de maatschappelijk assistent heeft op 12 november 2026 voor Marc een energiefactuur van € 300,00 aangevraagd
    Als de financiële dienst het budget energie met € 800,00 vermindert met als reden "besparing"
    Dan wordt dit geweigerd met de melding "Het budget energie heeft nog € 700,00 beschikbaar; er is € 800,00 nodig (€ 100,00 te weinig)"
    En is er in het budget energie € 0,00 vastgelegd en € 300,00 gereserveerd
