# language: nl
Functionaliteit: Apotheekkosten
  Kader hulpgelden art. 7.1: de maatschappelijk assistent beslist altijd zelf over apotheekkosten, tot
  € 100,00 per aanvraag en € 300,00 per gezin per kalenderjaar.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een volwassene "Marc" geboren op 3 maart 1985
    En het gezin telt ook een kind "Lena" geboren op 1 mei 2018
    En een budget gezondheid met nog € 3.000,00 beschikbaar

  Abstract Scenario: Apotheekkosten per aanvraag
    Als de maatschappelijk assistent op 5 juni 2026 apotheekkosten van <bedrag> vraagt voor <wie>
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>

    Voorbeelden:
      | bedrag   | wie  | uitkomst                  | redenen                                |
      | € 80,00  | Marc | goedgekeurd               | geen                                   |
      | € 100,00 | Lena | goedgekeurd               | geen                                   |
      | € 100,01 | Marc | voorgelegd aan het comité | gezondheid.apotheek.amount_per_request |

  Scenario: Apotheekkosten boven het maximum per aanvraag
    Als de maatschappelijk assistent op 5 juni 2026 apotheekkosten van € 120,00 vraagt voor Marc
    Dan gaat de aanvraag naar het comité
    En de enige reden is "gezondheid.apotheek.amount_per_request"

  Scenario: Apotheekkosten tot het jaarmaximum van het gezin
    Gegeven Marc kreeg op 10 februari 2026 al apotheekkosten van € 100,00
    En Lena kreeg op 20 april 2026 al apotheekkosten van € 100,00
    Als de maatschappelijk assistent op 5 juni 2026 apotheekkosten van € 100,00 vraagt voor Marc
    Dan wordt de aanvraag goedgekeurd

  Scenario: Apotheekkosten boven het jaarmaximum van het gezin
    Gegeven Marc kreeg op 10 februari 2026 al apotheekkosten van € 100,00
    En Lena kreeg op 20 april 2026 al apotheekkosten van € 100,00
    En Marc kreeg op 15 mei 2026 al apotheekkosten van € 90,00
    Als de maatschappelijk assistent op 5 juni 2026 apotheekkosten van € 50,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "gezondheid.apotheek.sum_per_household_calendar_year"
    En de reden "gezondheid.apotheek.sum_per_household_calendar_year" luidt "Met deze aanvraag komt het totaal voor apotheekkosten voor dit gezin in kalenderjaar 2026 op € 340,00, meer dan het maximum van € 300,00 (al toegekend: € 290,00)"

  Scenario: Boven beide maxima tegelijk
    Gegeven Marc kreeg op 10 februari 2026 al apotheekkosten van € 100,00
    En Lena kreeg op 20 april 2026 al apotheekkosten van € 100,00
    Als de maatschappelijk assistent op 5 juni 2026 apotheekkosten van € 150,00 vraagt voor Marc
    Dan gaat de aanvraag naar het comité
    En de redenen zijn:
      | regel                                               |
      | gezondheid.apotheek.amount_per_request              |
      | gezondheid.apotheek.sum_per_household_calendar_year |

  Scenario: Apotheekkosten van vorig jaar tellen niet mee
    Gegeven Marc kreeg op 10 december 2025 al apotheekkosten van € 100,00
    En Lena kreeg op 20 december 2025 al apotheekkosten van € 100,00
    En Marc kreeg op 28 december 2025 al apotheekkosten van € 100,00
    Als de maatschappelijk assistent op 5 januari 2026 apotheekkosten van € 100,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd
