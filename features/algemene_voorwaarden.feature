# language: nl
Functionaliteit: Algemene voorwaarden voor elke aanvraag
  Kader hulpgelden art. 2: wat de maatschappelijk assistent ook vraagt, de aanvraag gaat naar het Bijzonder
  Comité als het bedrag boven het mandaatplafond van € 250,00 ligt, als het budget het bedrag niet kan dekken,
  als het budget bevroren is, of als geen regel de hulp aan de maatschappelijk assistent toevertrouwt.
  Het comité krijgt altijd alle redenen, niet alleen de eerste.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een kind "Lena" geboren op 1 mei 2018
    En het gezin telt ook een volwassene "Sara" geboren op 12 juli 1990

  Scenario: Het budget is te klein
    Gegeven een budget kleding met nog € 40,00 beschikbaar
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "general.envelope_cover"
    En de reden "general.envelope_cover" luidt "Het budget kan € 55,00 niet dekken: er is nog € 40,00 beschikbaar"
    En de reden "general.envelope_cover" verwijst naar "OCMW-raad 12 maart 2024, kader hulpgelden art. 2"

  Scenario: Het budget dekt precies het bedrag
    Gegeven een budget kleding met nog € 55,00 beschikbaar
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Het budget is op
    Gegeven een budget energie met nog € 0,00 beschikbaar
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van € 100,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de reden "general.envelope_cover" luidt "Het budget kan € 100,00 niet dekken: er is nog € 0,00 beschikbaar"

  Scenario: Het budget is bevroren
    Gegeven een budget kleding met nog € 1.200,00 beschikbaar
    En het budget kleding is bevroren
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "general.envelope_frozen"
    En de reden "general.envelope_frozen" luidt "Het budget voor dit thema is bevroren"

  Scenario: Een bevroren budget van een ander thema speelt geen rol
    Gegeven een budget kleding met nog € 1.200,00 beschikbaar
    En een budget energie met nog € 5.000,00 beschikbaar
    En het budget energie is bevroren
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Abstract Scenario: Een huurwaarborg beslist altijd het comité
    Gegeven een budget huisvesting met nog € 10.000,00 beschikbaar
    Als de maatschappelijk assistent op 2 maart 2026 een huurwaarborg van <bedrag> vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de enige reden is "huisvesting.huurwaarborg.delegation"
    En de reden "huisvesting.huurwaarborg.delegation" luidt "Huurwaarborg wordt nooit door de maatschappelijk assistent alleen beslist: de aanvraag gaat naar het comité"
    En de reden "huisvesting.huurwaarborg.delegation" verwijst naar "OCMW-raad 12 maart 2024, kader hulpgelden art. 9"

    Voorbeelden:
      | bedrag   |
      | € 10,00  |
      | € 200,00 |

  Scenario: Een huurwaarborg boven het mandaatplafond
    Gegeven een budget huisvesting met nog € 10.000,00 beschikbaar
    Als de maatschappelijk assistent op 2 maart 2026 een huurwaarborg van € 1.450,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de redenen zijn:
      | regel                               | tekst                                                                                                       |
      | general.mandate_ceiling             | € 1.450,00 is meer dan het mandaatplafond van € 250,00 per aanvraag                                         |
      | huisvesting.huurwaarborg.delegation | Huurwaarborg wordt nooit door de maatschappelijk assistent alleen beslist: de aanvraag gaat naar het comité |

  Abstract Scenario: Hulp waarover geen regel iets zegt
    Gegeven een budget <budget> met nog € 1.000,00 beschikbaar
    Als de maatschappelijk assistent op 23 november 2026 een <onderdeel> uit het budget <budget> van € 20,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "general.unknown_item"
    En de reden "general.unknown_item" luidt "Er is geen regel voor '<onderdeel>' in thema '<budget>': wat niet gedelegeerd is, beslist het comité"

    Voorbeelden:
      | onderdeel | budget   |
      | fiets     | kleding  |
      | laptop    | digitaal |

  Scenario: Boven het mandaatplafond
    Gegeven een budget energie met nog € 5.000,00 beschikbaar
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van € 300,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de enige reden is "general.mandate_ceiling"
    En de reden "general.mandate_ceiling" luidt "€ 300,00 is meer dan het mandaatplafond van € 250,00 per aanvraag"
    Maar de reden "energie.energiefactuur.sum_per_household_calendar_year" staat er niet bij

  Scenario: Een volwassene vraagt dure winterschoenen uit een bevroren budget
    Gegeven een budget kleding met nog € 1.200,00 beschikbaar
    En het budget kleding is bevroren
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 300,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de redenen zijn:
      | regel                                     | tekst                                                                                                                               |
      | general.envelope_frozen                   | Het budget voor dit thema is bevroren                                                                                               |
      | general.mandate_ceiling                   | € 300,00 is meer dan het mandaatplafond van € 250,00 per aanvraag                                                                   |
      | kleding.winterschoenen.delegation         | Zelf beslissen over winterschoenen mag alleen als deze voorwaarde geldt: de begunstigde is jonger dan 18 jaar. Hier: de leeftijd van de begunstigde is 36. |
      | kleding.winterschoenen.amount_per_request | € 300,00 is meer dan het maximum van € 60,00 per paar winterschoenen                                                                |

  Scenario: Alles tegelijk: elke reden staat erbij
    Gegeven een budget kleding met nog € 100,00 beschikbaar
    En het budget kleding is bevroren
    En Sara kreeg op 15 oktober 2026 al winterschoenen van € 50,00
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 300,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de redenen zijn:
      | regel                                                      |
      | general.envelope_cover                                     |
      | general.envelope_frozen                                    |
      | general.mandate_ceiling                                    |
      | kleding.winterschoenen.delegation                          |
      | kleding.winterschoenen.amount_per_request                  |
      | kleding.winterschoenen.count_per_beneficiary_winter_season |
    En de reden "general.envelope_cover" luidt "Het budget kan € 300,00 niet dekken: er is nog € 100,00 beschikbaar"
