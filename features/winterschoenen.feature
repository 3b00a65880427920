# language: nl
Functionaliteit: Winterschoenen voor kinderen
  Kader hulpgelden art. 4.1: de maatschappelijk assistent beslist alleen over winterschoenen voor een kind
  (jonger dan 18 op de dag van de aanvraag), tot € 60,00 per paar (€ 65,00 vanaf 1 januari 2027) en één paar
  per kind per winter (1 oktober tot en met 31 maart). Al het andere gaat naar het Bijzonder Comité.

  Achtergrond:
    Gegeven het demobeleid
    En een gezin met een kind "Lena" geboren op 1 mei 2018
    En het gezin telt ook een volwassene "Sara" geboren op 12 juli 1990
    En een budget kleding met nog € 1.200,00 beschikbaar

  Scenario: Winterschoenen binnen de grens
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Winterschoenen van precies het maximum
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 60,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd
    En de gebruikte waarde van "winterschoenen_max" is € 60,00

  Scenario: Winterschoenen boven de grens
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 75,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "kleding.winterschoenen.amount_per_request"
    En de reden "kleding.winterschoenen.amount_per_request" luidt "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen"
    En de reden "kleding.winterschoenen.amount_per_request" verwijst naar "OCMW-raad 12 maart 2024, kader hulpgelden art. 4"

  Scenario: Een tweede paar in dezelfde winter
    Gegeven Lena kreeg op 15 oktober 2026 al winterschoenen van € 50,00
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "kleding.winterschoenen.count_per_beneficiary_winter_season"
    En de reden "kleding.winterschoenen.count_per_beneficiary_winter_season" luidt "Er werd al een paar winterschoenen toegekend aan deze begunstigde in het winterseizoen 2026-2027; het maximum is 1 paar per winter"

  Scenario: Een tweede paar na nieuwjaar is nog dezelfde winter
    Gegeven Lena kreeg op 20 november 2026 al winterschoenen van € 50,00
    Als de maatschappelijk assistent op 10 februari 2027 winterschoenen van € 55,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de enige reden is "kleding.winterschoenen.count_per_beneficiary_winter_season"

  Scenario: Een paar in de volgende winter
    Gegeven Lena kreeg op 15 oktober 2025 al winterschoenen van € 50,00
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Abstract Scenario: De winter loopt van 1 oktober tot en met 31 maart
    Gegeven Lena kreeg op <eerder> al winterschoenen van € 50,00
    Als de maatschappelijk assistent op <datum> winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>

    Voorbeelden:
      | eerder            | datum          | uitkomst                  | redenen                                                    |
      | 1 oktober 2026    | 31 maart 2027  | voorgelegd aan het comité | kleding.winterschoenen.count_per_beneficiary_winter_season |
      | 31 maart 2026     | 1 oktober 2026 | goedgekeurd               | geen                                                       |
      | 30 september 2026 | 1 oktober 2026 | goedgekeurd               | geen                                                       |

  Scenario: Het paar van een broer telt niet voor Lena
    Gegeven het gezin telt ook een kind "Noah" geboren op 3 februari 2016
    En Noah kreeg op 15 oktober 2026 al winterschoenen van € 50,00
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Lena
    Dan wordt de aanvraag goedgekeurd

  Scenario: Winterschoenen voor een volwassene
    Als de maatschappelijk assistent op 23 november 2026 winterschoenen van € 55,00 vraagt voor Sara
    Dan gaat de aanvraag naar het comité
    En de enige reden is "kleding.winterschoenen.delegation"
    En de reden "kleding.winterschoenen.delegation" luidt "Zelf beslissen over winterschoenen mag alleen als deze voorwaarde geldt: de begunstigde is jonger dan 18 jaar. Hier: de leeftijd van de begunstigde is 36."

  Abstract Scenario: De leeftijd telt op de dag van de aanvraag
    Gegeven het gezin telt ook een kind "Yasmine" geboren op 23 november 2008
    Als de maatschappelijk assistent op <datum> winterschoenen van € 55,00 vraagt voor Yasmine
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>

    Voorbeelden:
      | datum            | uitkomst                  | redenen                           |
      | 22 november 2026 | goedgekeurd               | geen                              |
      | 23 november 2026 | voorgelegd aan het comité | kleding.winterschoenen.delegation |

  Abstract Scenario: Het maximum per paar verandert op 1 januari 2027
    Als de maatschappelijk assistent op <datum> winterschoenen van <bedrag> vraagt voor Lena
    Dan wordt de aanvraag <uitkomst>
    En de redenen voor het comité zijn: <redenen>
    En de gebruikte waarde van "winterschoenen_max" is <maximum>

    Voorbeelden:
      | datum            | bedrag  | maximum | uitkomst                  | redenen                                   |
      | 31 december 2026 | € 60,00 | € 60,00 | goedgekeurd               | geen                                      |
      | 31 december 2026 | € 64,00 | € 60,00 | voorgelegd aan het comité | kleding.winterschoenen.amount_per_request |
      | 1 januari 2027   | € 64,00 | € 65,00 | goedgekeurd               | geen                                      |
      | 1 januari 2027   | € 65,00 | € 65,00 | goedgekeurd               | geen                                      |
      | 1 januari 2027   | € 65,01 | € 65,00 | voorgelegd aan het comité | kleding.winterschoenen.amount_per_request |

  Scenario: Op oudejaarsdag geldt nog het oude maximum
    Als de maatschappelijk assistent op 31 december 2026 winterschoenen van € 64,00 vraagt voor Lena
    Dan gaat de aanvraag naar het comité
    En de reden "kleding.winterschoenen.amount_per_request" luidt "€ 64,00 is meer dan het maximum van € 60,00 per paar winterschoenen"
