# language: nl
Functionaliteit: Vrijetijdsbijdrage
  Kader hulpgelden art. 8.1: de maatschappelijk assistent beslist alleen over een vrijetijdsbijdrage voor een
  kind (jonger dan 18), tot € 100,00 per kind per kalenderjaar.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een kind "Lena" geboren op 1 mei 2018
    En het gezin telt ook een volwassene "Sara" geboren op 12 juli 1990
    En een budget vrije tijd met nog € 800,00 beschikbaar

  Scenario: Een vrijetijdsbijdrage tot het jaarmaximum
    Gegeven Lena kreeg op 1 februari 2026 al een vrijetijdsbijdrage van € 60,00
    Als de maatschappelijk assistent op 1 september 2026 een vrijetijdsbijdrage van € 40,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Een vrijetijdsbijdrage boven het jaarmaximum
    Gegeven Lena kreeg op 1 februari 2026 al een vrijetijdsbijdrage van € 60,00
    Als de maatschappelijk assistent op 1 september 2026 een vrijetijdsbijdrage van € 50,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "vrije_tijd.vrijetijdsbijdrage.sum_per_beneficiary_calendar_year"
    En de reden "vrije_tijd.vrijetijdsbijdrage.sum_per_beneficiary_calendar_year" luidt "Met deze aanvraag komt het totaal voor vrijetijdsbijdrage voor deze begunstigde in kalenderjaar 2026 op € 110,00, meer dan het maximum van € 100,00 (al toegekend: € 60,00)"

  Scenario: Een nieuw kalenderjaar, een nieuwe vrijetijdsbijdrage
    Gegeven Lena kreeg op 1 september 2025 al een vrijetijdsbijdrage van € 100,00
    Als de maatschappelijk assistent op 1 januari 2026 een vrijetijdsbijdrage van € 100,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Een vrijetijdsbijdrage voor een volwassene
    Als de maatschappelijk assistent op 1 september 2026 een vrijetijdsbijdrage van € 40,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de enige reden is "vrije_tijd.vrijetijdsbijdrage.delegation"
