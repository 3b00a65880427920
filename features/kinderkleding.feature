# language: nl
Functionaliteit: Kinderkleding
  Kader hulpgelden art. 4.2: de maatschappelijk assistent beslist alleen over kinderkleding voor een kind
  (jonger dan 18), tot € 150,00 per kind per kalenderjaar, alle aanvragen samen.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een kind "Lena" geboren op 1 mei 2018
    En het gezin telt ook een kind "Noah" geboren op 3 februari 2016
    En een budget kleding met nog € 1.200,00 beschikbaar

  Scenario: Kinderkleding tot het jaarmaximum
    Gegeven Lena kreeg op 10 maart 2026 al kinderkleding van € 100,00
    Als de maatschappelijk assistent op 23 november 2026 kinderkleding van € 50,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Kinderkleding boven het jaarmaximum
    Gegeven Lena kreeg op 10 maart 2026 al kinderkleding van € 100,00
    Als de maatschappelijk assistent op 23 november 2026 kinderkleding van € 60,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "kleding.kinderkleding.sum_per_beneficiary_calendar_year"
    En de reden "kleding.kinderkleding.sum_per_beneficiary_calendar_year" luidt "Met deze aanvraag komt het totaal voor kinderkleding voor deze begunstigde in kalenderjaar 2026 op € 160,00, meer dan het maximum van € 150,00 (al toegekend: € 100,00)"

  Scenario: Alle eerdere kinderkleding van het jaar telt mee
    Gegeven Lena kreeg op 10 januari 2026 al kinderkleding van € 60,00
    En Lena kreeg op 10 maart 2026 al kinderkleding van € 60,00
    Als de maatschappelijk assistent op 23 november 2026 kinderkleding van € 40,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de reden "kleding.kinderkleding.sum_per_beneficiary_calendar_year" luidt "Met deze aanvraag komt het totaal voor kinderkleding voor deze begunstigde in kalenderjaar 2026 op € 160,00, meer dan het maximum van € 150,00 (al toegekend: € 120,00)"

  Scenario: Een nieuw kalenderjaar begint opnieuw
    Gegeven Lena kreeg op 20 december 2025 al kinderkleding van € 150,00
    Als de maatschappelijk assistent op 2 januari 2026 kinderkleding van € 100,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: De kinderkleding van een broer telt niet voor Lena
    Gegeven Noah kreeg op 10 maart 2026 al kinderkleding van € 150,00
    Als de maatschappelijk assistent op 23 november 2026 kinderkleding van € 100,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Winterschoenen tellen niet mee voor kinderkleding
    Gegeven Lena kreeg op 15 oktober 2026 al winterschoenen van € 60,00
    Als de maatschappelijk assistent op 23 november 2026 kinderkleding van € 150,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd
