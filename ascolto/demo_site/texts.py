"""What the demo web's people say, in Italian and English, on care topics. Fictional brands: Velora (telecom and
energy) and Pakko (e-commerce and delivery). Each template names the brand ({b}) so that brand queries find it."""

from __future__ import annotations

# (topic, brands it fits: "V", "P" or "VP", template). Slots: {b} brand, {n} number, {city}, {amount}, {order}.
Templates = list[tuple[str, str, str]]

COMPLAINTS: dict[str, Templates] = {
    "it": [
        ("delivery", "P", "{b} mi aveva promesso la consegna ieri e il pacco {order} è fermo a {city}. Vergogna."),
        ("delivery", "P", "Terzo giorno di ritardo con {b}: il corriere segna 'assente' ma io ero a casa!"),
        ("delivery", "P", "Pacco {b} consegnato al vicino sbagliato e nessuno risponde. Servizio pessimo."),
        ("delivery", "V", "Il modem di {b} doveva arrivare {n} giorni fa, sono ancora senza internet a {city}."),
        ("billing", "V", "Bolletta {b} di {amount} euro per un bilocale?! Consumi stimati assurdi."),
        ("billing", "V", "{b} mi ha addebitato due volte lo stesso mese. Voglio il rimborso subito."),
        ("refund", "P", "Reso spedito a {b} da {n} settimane e del rimborso di {amount} euro nessuna traccia."),
        ("refund", "VP", "Aspetto ancora il rimborso promesso da {b}. Ogni volta mi dicono 'entro 48 ore'."),
        ("product_quality", "P", "Ordinato su {b} un frullatore arrivato rotto, con la scatola aperta. Pessimo."),
        ("product_quality", "V", "La fibra {b} a {city} cade ogni sera dalle 21: inutilizzabile per lavorare."),
        ("customer_service", "VP", "Quaranta minuti di attesa al numero verde {b} e poi cade la linea. Ridicolo."),
        ("customer_service", "VP", "La chat di {b} risponde solo con messaggi automatici, nessun operatore umano."),
        ("app_website", "VP", "L'app {b} si blocca al login da stamattina, non riesco a vedere nulla."),
        ("app_website", "P", "Il sito {b} mi svuota il carrello al pagamento, terza volta oggi."),
        ("price", "V", "{b} ha aumentato la tariffa di {amount} euro senza avvisare. Cambio operatore."),
        ("price", "P", "Spese di spedizione {b} raddoppiate dall'oggi al domani, non è serio."),
    ],
    "en": [
        ("delivery", "P", "{b} said my parcel {order} would arrive yesterday and it's still stuck in {city}. Awful."),
        ("delivery", "P", "Third day late with {b}: the driver claims nobody was home, but I was!"),
        ("delivery", "V", "My {b} router was supposed to ship {n} days ago, still no internet in {city}."),
        ("billing", "V", "{b} billed me {amount} for a one-bedroom flat. Those estimated readings are absurd."),
        ("billing", "V", "{b} charged me twice for the same month. I want my money back now."),
        ("refund", "P", "Sent my return to {b} {n} weeks ago and still no refund of {amount}. Terrible."),
        ("refund", "VP", "Still waiting for the refund {b} promised. Every time it's 'within 48 hours'."),
        ("product_quality", "P", "Ordered a kettle from {b} and it arrived broken, box already opened."),
        ("product_quality", "V", "{b} broadband in {city} drops every evening at 9pm. Unusable for work."),
        ("customer_service", "VP", "40 minutes on hold with {b} support and then the line drops. Ridiculous."),
        ("customer_service", "VP", "{b} chat only gives canned answers, there's never a human there."),
        ("app_website", "VP", "The {b} app keeps crashing at login since this morning."),
        ("app_website", "P", "The {b} website empties my cart at checkout, third time today."),
        ("price", "V", "{b} raised my plan by {amount} without any notice. Switching provider."),
        ("price", "P", "{b} doubled its delivery fees overnight, not acceptable."),
    ],
}

QUESTIONS: dict[str, Templates] = {
    "it": [
        ("delivery", "P", "Qualcuno sa se {b} consegna anche il sabato a {city}?"),
        ("billing", "V", "Come si legge la bolletta {b}? Non capisco la voce 'oneri di sistema'."),
        ("refund", "P", "Quanto ci mette {b} di solito a rimborsare un reso?"),
        ("customer_service", "VP", "C'è un modo per parlare con un operatore {b} senza passare dal bot?"),
        ("app_website", "VP", "Dall'app {b} si può cambiare l'indirizzo di fatturazione?"),
        ("price", "V", "La nuova offerta {b} da {amount} euro include anche le chiamate?"),
    ],
    "en": [
        ("delivery", "P", "Does anyone know if {b} delivers on Sundays in {city}?"),
        ("billing", "V", "How do I read a {b} bill? What is the 'system charges' line?"),
        ("refund", "P", "How long does {b} usually take to refund a return?"),
        ("customer_service", "VP", "Is there a way to reach a human at {b} instead of the bot?"),
        ("app_website", "VP", "Can I change my billing address in the {b} app?"),
        ("price", "V", "Does the new {b} {amount} plan include calls?"),
    ],
}

PRAISE: dict[str, Templates] = {
    "it": [
        ("delivery", "P", "Ordinato ieri sera su {b}, arrivato stamattina alle 9. Perfetto, grazie!"),
        ("customer_service", "VP", "Ottimo servizio clienti {b}: problema risolto in dieci minuti. Grazie!"),
        ("app_website", "VP", "La nuova app {b} è davvero comoda, finalmente le bollette in un clic."),
        ("price", "V", "Passato a {b}: spendo {amount} euro in meno al mese. Ottima scelta."),
        ("refund", "P", "Rimborso {b} arrivato in due giorni, perfetto."),
    ],
    "en": [
        ("delivery", "P", "Ordered from {b} last night, delivered at 9am. Great, thanks!"),
        ("customer_service", "VP", "Excellent {b} support: sorted my issue in ten minutes. Thanks!"),
        ("app_website", "VP", "Love the new {b} app, paying bills takes one tap now."),
        ("price", "V", "Switched to {b} and I'm paying {amount} less a month. Great choice."),
        ("refund", "P", "{b} refunded me in two days, fantastic."),
    ],
}

OTHER: dict[str, Templates] = {
    "it": [
        ("other", "VP", "Visto lo spot di {b} in TV stasera, carino."),
        ("other", "VP", "Oggi a {city} apre un punto {b}, c'è già la fila."),
        ("other", "P", "{b} sponsorizza la maratona di {city} di domenica."),
    ],
    "en": [
        ("other", "VP", "Saw the new {b} ad on TV tonight, quite nice."),
        ("other", "VP", "{b} is opening a new store in {city} today."),
        ("other", "P", "{b} is sponsoring the {city} marathon this weekend."),
    ],
}

BY_INTENT = {"complaint": COMPLAINTS, "question": QUESTIONS, "praise": PRAISE, "other": OTHER}

SURGE: dict[str, list[str]] = {  # Pakko's delivery meltdown of the last hours
    "it": [
        "Ma cosa succede a {b} oggi? Tutte le consegne in ritardo, il mio pacco {order} è fermo da stamattina.",
        "{b} consegne bloccate ovunque: il tracking non si aggiorna da ore. Qualcuno ne sa qualcosa?",
        "Anche a me! Pacco {b} sparito dal tracking, a {city} nessuna consegna oggi. Vergogna.",
        "{b} il corriere non è mai passato e il numero verde non risponde. Ritardo assurdo.",
    ],
    "en": [
        "What's going on with {b} today? Every delivery is late, my parcel {order} hasn't moved since morning.",
        "{b} deliveries stuck everywhere, tracking hasn't updated in hours. Terrible.",
    ],
}

REPLIES: dict[str, list[str]] = {  # from the brands' own care accounts
    "it": [
        "Ciao, ci dispiace molto per il disagio. Ci scrivi in privato il numero d'ordine? Ti aiutiamo subito.",
        "Buongiorno, abbiamo preso in carico la segnalazione: un collega ti contatterà entro oggi.",
        "Ciao! Grazie per la segnalazione, abbiamo verificato e risolto. Facci sapere se va tutto bene ora.",
    ],
    "en": [
        "Hi, we're sorry about this. Could you DM us your order or customer number? We'll sort it out right away.",
        "Hello, we've opened a ticket for you: a colleague will get back to you today.",
        "Hi! Thanks for flagging this, we've checked and fixed it. Let us know if all is well now.",
    ],
}

NEWS: dict[str, Templates] = {  # longer articles for the feeds (syndicated copies reuse them word for word)
    "it": [
        ("billing", "V", "{b}, bollette più care a {city}: le associazioni dei consumatori chiedono chiarimenti|"
         "Dopo le segnalazioni di decine di clienti, le associazioni dei consumatori hanno chiesto a {b} di "
         "spiegare gli aumenti delle bollette di novembre, in alcuni casi superiori a {amount} euro."),
        ("delivery", "P", "{b}, consegne a rilento nel nord Italia|Il gruppo di e-commerce {b} ammette ritardi "
         "nelle consegne in Lombardia e Piemonte a causa della carenza di corrieri e promette rinforzi entro "
         "la fine del mese."),
        ("other", "VP", "{b} apre un nuovo centro a {city} con {n}0 assunzioni|L'azienda {b} ha annunciato "
         "l'apertura di un nuovo centro operativo a {city}, con assunzioni previste nei prossimi mesi e "
         "investimenti in tecnologia."),
        ("app_website", "VP", "Disservizio per l'app {b}, accessi bloccati per ore|Per gran parte della "
         "mattinata gli utenti dell'app {b} non sono riusciti ad accedere al proprio profilo; l'azienda parla "
         "di un problema tecnico ora risolto."),
    ],
    "en": [
        ("price", "V", "{b} raises prices for broadband customers|{b} will raise monthly prices for broadband "
         "customers by up to {amount} from next month, citing energy and network costs, consumer groups say."),
        ("delivery", "P", "{b} struggles with delivery backlog|Online retailer {b} is working through a delivery "
         "backlog after a surge in orders, with some customers in {city} waiting more than a week for parcels."),
        ("other", "VP", "{b} reports strong quarter|{b} reported a strong quarter, with customer numbers up and "
         "new services planned across {city} and other cities next year, according to the company."),
    ],
}

CITIES = {"it": ["Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze", "Bari", "Verona"],
          "en": ["London", "Manchester", "Leeds", "Bristol", "Dublin", "Glasgow"]}
USERS = ["marta_b", "giuseppe77", "lucia.r", "andrea_t", "fra_verdi", "paolo_m", "sara.bianchi", "dario_k",
         "elena88", "tom_h", "jane_doe", "mike_r", "anna.k", "chris_p", "sofia_l", "luca_n", "giulia_s", "matteo_v",
         "emma_w", "oliver_j", "rosa_c", "nico_f", "ale_z", "ste_g"]
