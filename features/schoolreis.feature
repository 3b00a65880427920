# language: nl
Functionaliteit: Schoolreizen
  Kader hulpgelden art. 6.1: de maatschappelijk assistent beslist alleen over schoolreizen voor een kind
  (jonger dan 18), tot € 150,00 per kind per schooljaar. Een schooljaar loopt van 1 september tot en met
  31 augustus.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een kind "Lena" geboren op 1 mei 2014
    En een budget onderwijs met nog € 2.000,00 beschikbaar

  Scenario: Een schoolreis binnen het maximum
    Als de maatschappelijk assistent op 4 mei 2026 een schoolreis van € 150,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Abstract Scenario: Het schooljaar begint op 1 september
    Gegeven Lena kreeg op 15 juni 2026 al een schoolreis van € 100,00
    Als de maatschappelijk assistent op <datum> een schoolreis van € 100,00 vraagt voor Lena
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>

    Voorbeelden:
      | datum            | uitkomst                  | redenen                                              |
      | 20 augustus 2026 | voorgelegd aan het comité | onderwijs.schoolreis.sum_per_beneficiary_school_year |
      | 31 augustus 2026 | voorgelegd aan het comité | onderwijs.schoolreis.sum_per_beneficiary_school_year |
      | 1 september 2026 | goedgekeurd               | geen                                                 |

  Scenario: Twee schoolreizen in hetzelfde schooljaar, over nieuwjaar heen
    Gegeven Lena kreeg op 15 oktober 2025 al een schoolreis van € 100,00
    Als de maatschappelijk assistent op 20 augustus 2026 een schoolreis van € 100,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "onderwijs.schoolreis.sum_per_beneficiary_school_year"
    En de reden "onderwijs.schoolreis.sum_per_beneficiary_school_year" luidt "Met deze aanvraag komt het totaal voor schoolreis voor deze begunstigde in schooljaar 2025-2026 op € 200,00, meer dan het maximum van € 150,00 (al toegekend: € 100,00)"

  Scenario: Een schoolreis voor een meerderjarige leerling
    Gegeven het gezin telt ook een volwassene "Amir" geboren op 9 januari 2008
    Als de maatschappelijk assistent op 4 mei 2026 een schoolreis van € 80,00 vraagt voor Amir
    Dan gaat de aanvraag naar het comité
    En de enige reden is "onderwijs.schoolreis.delegation"
    En de reden "onderwijs.schoolreis.delegation" luidt "Zelf beslissen over schoolreis mag alleen als deze voorwaarde geldt: de begunstigde is jonger dan 18 jaar. Hier: de leeftijd van de begunstigde is 18."
