# language: nl
Functionaliteit: Energiefacturen
  Kader hulpgelden art. 5.1: de maatschappelijk assistent beslist altijd zelf over een energiefactuur, tot
  € 400,00 per gezin per kalenderjaar. Wat het gezin dit jaar al kreeg, telt mee, voor wie het ook was.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een volwassene "Marc" geboren op 3 maart 1985
    En het gezin telt ook een volwassene "Sara" geboren op 12 juli 1990
    En het gezin telt ook een kind "Lena" geboren op 1 mei 2018
    En een budget energie met nog € 5.000,00 beschikbaar

  Scenario: Een energiefactuur voor een volwassene
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van € 150,00 vraagt voor Marc
    Dan wordt de aanvraag goedgekeurd

  Scenario: Een energiefactuur tot het jaarmaximum van het gezin
    Gegeven Sara kreeg op 3 maart 2026 al een energiefactuur van € 250,00
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van € 150,00 vraagt voor Marc
    Dan wordt de aanvraag goedgekeurd

  Scenario: Een energiefactuur boven het jaarmaximum van het gezin
    Gegeven Sara kreeg op 3 maart 2026 al een energiefactuur van € 300,00
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van € 150,00 vraagt voor Marc
    Dan gaat de aanvraag naar het comité
    En de enige reden is "energie.energiefactuur.sum_per_household_calendar_year"
    En de reden "energie.energiefactuur.sum_per_household_calendar_year" luidt "Met deze aanvraag komt het totaal voor energiefactuur voor dit gezin in kalenderjaar 2026 op € 450,00, meer dan het maximum van € 400,00 (al toegekend: € 300,00)"

  Scenario: De energiefactuur van vorig jaar telt niet mee
    Gegeven het gezin kreeg op 14 december 2025 al een energiefactuur van € 300,00
    Als de maatschappelijk assistent op 12 januari 2026 een energiefactuur van € 150,00 vraagt voor het gezin
    Dan wordt de aanvraag goedgekeurd

  Abstract Scenario: Boven het mandaatplafond beslist het comité, ook binnen het jaarmaximum
    Als de maatschappelijk assistent op 12 november 2026 een energiefactuur van <bedrag> vraagt voor het gezin
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>

    Voorbeelden:
      | bedrag   | uitkomst                  | redenen                 |
      | € 250,00 | goedgekeurd               | geen                    |
      | € 250,01 | voorgelegd aan het comité | general.mandate_ceiling |
      | € 300,00 | voorgelegd aan het comité | general.mandate_ceiling |
