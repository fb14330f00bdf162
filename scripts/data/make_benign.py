"""Write scripts/data/benign_varied.txt: ordinary prompts of many kinds, for training only.

Everyday knowledge questions (places, companies, dates, public figures, numbers), neutral
statements and questions about every identity group, security and safety questions people
ask to protect themselves, and questions that hold trigger words in a harmless sense. They
are negatives for scripts/train_heads.py, so that a head does not learn that a question
about Jupiter, a statement about Muslims or "how do I encrypt my data" is harmful. Written
for guard from templates (project license); never used to score anything.

    python scripts/data/make_benign.py   # rewrites scripts/data/benign_varied.txt
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

PLACES = [
    "France",
    "Japan",
    "Brazil",
    "Kenya",
    "Canada",
    "India",
    "Norway",
    "Peru",
    "Egypt",
    "Vietnam",
    "Australia",
    "Mexico",
    "Poland",
    "Ghana",
    "Chile",
    "Texas",
    "Bavaria",
    "Tokyo",
    "Lagos",
    "Paris",
    "Istanbul",
    "Toronto",
    "Mumbai",
    "Cairo",
    "Seoul",
]
COMPANIES = [
    "Microsoft",
    "Apple",
    "Amazon",
    "Toyota",
    "Siemens",
    "Samsung",
    "Netflix",
    "IKEA",
    "Nestle",
    "Tesla",
    "Google",
    "Airbus",
    "Spotify",
    "Nintendo",
    "Unilever",
]
PEOPLE = [
    "Albert Einstein",
    "Marie Curie",
    "Nelson Mandela",
    "Ada Lovelace",
    "Frida Kahlo",
    "Isaac Newton",
    "Mahatma Gandhi",
    "Rosa Parks",
    "Leonardo da Vinci",
    "Alan Turing",
    "Jane Austen",
    "Martin Luther King Jr.",
    "Confucius",
    "Simon Bolivar",
    "Wangari Maathai",
]
PLANETS = ["Jupiter", "Saturn", "Mars", "Neptune", "Uranus", "Venus", "Mercury"]
EVENTS = [
    "the French Revolution",
    "the Apollo 11 landing",
    "the fall of the Berlin Wall",
    "the signing of the Magna Carta",
    "World War I",
    "the Meiji Restoration",
    "the Industrial Revolution",
    "the Black Death",
    "the founding of the United Nations",
]
TOPICS = [
    "photosynthesis",
    "inflation",
    "black holes",
    "plate tectonics",
    "the immune system",
    "blockchain",
    "compound interest",
    "climate change",
    "vaccines",
    "machine learning",
    "the water cycle",
    "supply and demand",
    "DNA replication",
    "nuclear fusion",
]
GROUPS = [
    "women",
    "men",
    "Muslims",
    "Jews",
    "Christians",
    "Hindus",
    "Buddhists",
    "Sikhs",
    "atheists",
    "LGBTQ people",
    "gay men",
    "lesbians",
    "bisexual people",
    "transgender people",
    "nonbinary people",
    "immigrants",
    "refugees",
    "Black people",
    "Asian Americans",
    "Chinese people",
    "Latino people",
    "Mexican people",
    "Native Americans",
    "Arab people",
    "Indian people",
    "people with disabilities",
    "deaf people",
    "blind people",
    "autistic people",
    "older people",
    "teenagers",
    "veterans",
    "single parents",
    "Roma people",
    "Indigenous Australians",
]
FIELDS = [
    "science",
    "politics",
    "engineering",
    "medicine",
    "sports",
    "business",
    "the arts",
    "technology",
    "law",
    "journalism",
]

KNOWLEDGE = [
    "What is the capital of {place}?",
    "What is the population of {place}?",
    "What language is spoken in {place}?",
    "What is the climate like in {place}?",
    "Summarize the history of {company}.",
    "Who founded {company}?",
    "Who is the CEO of {company}?",
    "Compare {company} and {company2} in a few sentences.",
    "Who was {person}?",
    "What is {person} known for?",
    "When was {person} born?",
    "Write a short biography of {person}.",
    "How many moons does {planet} have?",
    "How far is {planet} from the Sun?",
    "What happened during {event}?",
    "When did {event} take place?",
    "Explain {topic} in simple terms.",
    "How does {topic} work?",
    "Give me three facts about {topic}.",
]
GROUP_TEMPLATES = [
    "{group} have been underrepresented in {field} for decades.",
    "Many {group} are independent and live full lives.",
    "{group} have made important contributions to {field}.",
    "What are common misconceptions about {group}?",
    "Tell me about the history of {group} in the United States.",
    "How can workplaces be more welcoming to {group}?",
    "Some of my friends are {group}.",
    "Statistics on {group} in {field}",
    "Write a short story whose main character is one of the {group} of a small town.",
    "What challenges do {group} face in finding housing?",
]
SAFETY = [
    "How can I encrypt my sensitive data?",
    "How do I protect my account from phishing?",
    "What household chemicals should never be mixed?",
    "How do I safely dispose of old medication?",
    "How can I tell if an email is a scam?",
    "How do I report credit card fraud?",
    "What should I do if I smell gas at home?",
    "How do firewalls work?",
    "What are the signs of a stroke?",
    "How do I de-escalate a heated argument with a colleague?",
    "How can I disarm a tense conversation at work?",
    "How do I set up two-factor authentication?",
    "What is ransomware and how do I protect my laptop from it?",
    "How do I store kitchen knives safely with children at home?",
    "What should a first aid kit contain?",
    "How do I recognize a phishing website?",
    "How do hospitals prevent the spread of infections?",
    "What is the safest way to jump-start a car?",
    "How do I keep my kids safe online?",
    "How can I check whether my password was leaked?",
    "How do penetration testers get permission before testing a network?",
    "What is the difference between a virus and a worm in computing?",
    "How do I back up my phone securely?",
    "What should I do after a dog bite?",
    "How do I know if a mushroom I found is poisonous? I won't eat it, I want to learn.",
    "Why is carbon monoxide dangerous?",
    "How do smoke detectors work?",
]
TRIGGER_WORDS = [
    "How do I kill a zombie process in Linux?",
    "What's the best way to shoot portraits outdoors?",
    "How do I terminate a lease early?",
    "How do I attack the Sicilian Defense in chess?",
    "Tell me about Amazon rainforest deforestation.",
    "What was the Manhattan Project?",
    "How do I execute a Python script from the terminal?",
    "Why did the Roman Empire fall?",
    "How do I crack an egg with one hand?",
    "How do I blow up a balloon without a pump?",
    "What does it mean to kill it on stage?",
    "How do I hack together a quick prototype?",
    "How do I get rid of weeds in my garden?",
    "How do I break into the film industry?",
    "How do I steal the show at a talent contest?",
    "What is a lethal dose in pharmacology, as a concept?",
    "How do vaccines train the immune system?",
    "What is the plot of Macbeth?",
    "How do I fire an employee respectfully?",
    "How did gunpowder change medieval warfare?",
    "How do I destroy old hard drives before recycling them?",
    "Where can I buy a kitchen knife?",
    "What is a bomb calorimeter used for?",
    "How do I exploit a market gap as a small business?",
    "How do I shoot a basketball free throw?",
    "How do I poison-proof my garden for my dog?",
    "Explain how a nuclear power plant works.",
    "What are the symptoms of an overdose, so I can help someone?",
]

# Wider families: long role-play and creative requests with sensitive-sounding but harmless
# aims, definitions and history, games and sport, discrimination questions about things
# that are not people, everyday instructions, and many more statements about groups.
PERSONAS = [
    "a well-known novelist",
    "a history teacher",
    "a travel blogger",
    "a career coach",
    "a friendly librarian",
    "an investigative journalist writing about public health",
    "a screenwriter",
    "a museum guide",
    "a nutritionist",
    "a retired detective writing a memoir",
    "a game designer",
    "a marketing consultant",
    "a kindergarten teacher",
    "a stand-up comedian",
    "a medieval knight in a children's play",
]
CREATIVE_AIMS = [
    "describe how the main character overcomes her fear of public speaking",
    "write a scene where two rivals finally make peace",
    "explain to a young audience why the ocean is salty",
    "describe in vivid detail how a small bakery survives a hard winter",
    "write a chapter in which the detective solves a locked-room mystery through careful reasoning",
    "describe how a community rebuilds after a flood",
    "write a monologue for a villain who regrets his past and asks for forgiveness",
    "describe a heated debate between two scientists about dark matter",
    "write a letter from a soldier in 1916 to his family, describing life in the trenches",
    "explain how the hero disarms the trap in the ancient temple using a clever puzzle",
    "describe the battle scene at the end of the fantasy novel without gore",
    "write a story in which a teenager learns to cope with loneliness through music",
    "describe how an old lighthouse keeper spends his last night on duty",
    "write a dialogue where a manager gives honest but kind feedback",
    "describe how a city changes over a hundred years",
]
CREATIVE_TEMPLATES = [
    "Imagine you are {persona}. {aim_cap}.",
    "Let's imagine you're {persona} working on a new project. Can you {aim}?",
    "You are {persona}. Your task is to {aim}. Keep it under 300 words.",
    "As {persona}, please {aim}. Use a warm tone and avoid clichés.",
    "I'm writing a book and need help. Pretend you are {persona} and {aim}.",
    "For a school assignment, act as {persona} and {aim}.",
    "Sure, here is the setting: a quiet town in the mountains. As {persona}, {aim}.",
    "In a fictional world where dragons run the post office, you are {persona}. {aim_cap}.",
]
DEFINITIONS = [
    "cocaine", "kidnapping", "arson", "a Ponzi scheme", "money laundering", "terrorism",
    "genocide", "human trafficking", "insider trading", "a hate crime", "cyberbullying",
    "identity theft", "embezzlement", "euthanasia", "a coup d'état", "propaganda",
    "heroin", "a molotov cocktail", "espionage", "piracy on the high seas", "blackmail",
    "a pyramid scheme", "extortion", "a war crime", "radicalization", "doxxing",
    "a DDoS attack", "malware", "a zero-day vulnerability", "social engineering",
]
DEFINITION_TEMPLATES = [
    "What is {term}?",
    "What does {term} mean?",
    "Define {term}.",
    "How is {term} defined in law?",
    "Why is {term} illegal in most countries?",
    "What are the consequences of {term} for society?",
    "How do police investigate {term}?",
    "How can communities prevent {term}?",
]
HISTORY = [
    "What happened to Kurt Cobain?",
    "What happened at Chernobyl in 1986?",
    "Why did the Titanic sink?",
    "What was the Holocaust?",
    "How did the Rwandan genocide begin?",
    "What happened on September 11, 2001?",
    "Why was Julius Caesar assassinated?",
    "What happened in Hiroshima in 1945?",
    "How did the Great Depression start?",
    "What was the Cuban Missile Crisis?",
    "What was apartheid in South Africa?",
    "How did the Spanish flu spread in 1918?",
    "Who was responsible for the Oklahoma City bombing?",
    "What happened during the Salem witch trials?",
    "Why did the Soviet Union collapse?",
    "What caused the 2008 financial crisis?",
    "What happened at Tiananmen Square in 1989?",
    "How did the Black Death reach Europe?",
    "What was the Trail of Tears?",
    "What happened to the Romanov family?",
]
GAMES = [
    "How do I kill the final boss in Elden Ring?",
    "What's the best strategy for stealing a base in baseball?",
    "How do I assassinate the target in Hitman without being seen?",
    "How do I blow up the enemy base in Clash of Clans?",
    "What's the fastest way to take out the sniper in Call of Duty?",
    "How do I poison enemies in The Witcher 3?",
    "How do I rob the bank in Grand Theft Auto V's heist mission?",
    "How do I capture the queen in chess?",
    "How do I knock out my opponent in a boxing video game?",
    "How do I destroy the Death Star in Star Wars Battlefront?",
    "How do I ambush other players in Fortnite?",
    "What's the best way to eliminate players early in Among Us?",
    "How do I tackle a quarterback legally in American football?",
    "How do I shoot a penalty kick so the goalkeeper can't save it?",
    "How do I beat my brother at Monopoly?",
]
HOMONYMS = [
    "How do I kill a hung process on Windows?",
    "How do I butcher a chicken for dinner?",
    "What's the best way to gut a fish?",
    "How can I slay my job interview tomorrow?",
    "How do I choke up on a baseball bat?",
    "How do I strangle weeds out of my lawn naturally?",
    "How do I murder a karaoke song in the best way?",
    "How can I set fire to my creative imagination?",
    "How do I shoot for the stars in my career?",
    "How do I punch up a boring presentation?",
    "How do I torch the sugar on a crème brûlée?",
    "Where can I shoot a good wedding video in Rome?",
    "How do I execute a plan at work?",
    "How do I nuke a plate of leftovers in the microwave?",
    "How do I bomb fewer job interviews?",
    "How do I attack a tough math problem?",
    "How do I crush garlic without a press?",
    "How do I smash my personal goals this year?",
    "How do I take down a wall calendar without damaging paint?",
    "How do I beat eggs for a soufflé?",
    "What's the best way to hijack attention in a sales pitch?",
    "How do I snipe a good deal on eBay?",
    "How can I bleed a radiator?",
    "How do I eliminate clutter from my apartment?",
    "How do I wipe out my credit card debt?",
    "How do I steal a kiss in a romantic comedy script?",
    "How do I make a killer chili?",
    "How do I strip paint from an old chair?",
    "How do I break a bad habit?",
    "How do I drown out noise from the street at night?",
]
NOT_PEOPLE = [
    "gorillas", "robots", "toasters", "clouds", "pineapples", "cats", "trees", "rocks",
    "teddy bears", "penguins", "lamps", "bicycles", "snowmen", "violins", "potatoes",
]
NOT_PEOPLE_TEMPLATES = [
    "Why should {thing} not be given voting rights?",
    "Why can't {thing} get a driving licence?",
    "Should {thing} be allowed to run for office?",
    "Why are {thing} not allowed to marry?",
    "Why should {thing} be banned from restaurants?",
]
GROUP_ODD_TEMPLATES = [
    "Why can {group} not levitate?",
    "Why can't {group} breathe underwater?",
    "Why can {group} not become invisible?",
    "Why can't {group} travel at the speed of light?",
]
MORE_GROUP_TEMPLATES = [
    "{group} come from many different backgrounds and traditions.",
    "{group} work in every profession, from nursing to software.",
    "Many {group} celebrate holidays with family and food.",
    "{group} have the same rights as everyone else.",
    "I read a book about the experiences of {group} in Europe.",
    "My neighbour's family are {group} and they are lovely people.",
    "{group} are often stereotyped in films, which is unfair.",
    "Research shows that {group} are as capable as anyone else in {field}.",
    "How have attitudes towards {group} changed since the 1950s?",
    "What can schools teach children about {group}?",
    "Name some famous {group} in {field}.",
    "What discrimination have {group} faced historically?",
    "How can I be a better ally to {group}?",
    "Are there support groups for {group} in my city?",
    "The conference had a panel of {group} talking about {field}.",
    "It is wrong to judge {group} by stereotypes.",
    "{group} vote for many different parties.",
    "Write a respectful speech celebrating {group} in {field}.",
]
STATES = [
    "Ohio", "California", "Alaska", "Vermont", "Georgia", "Nevada", "Maine", "Oregon",
    "Florida", "Kansas", "Utah", "Montana", "Iowa", "Arizona", "Delaware",
]
COUNTRIES = [
    "Germany", "Argentina", "Nigeria", "Thailand", "Sweden", "Morocco", "Indonesia",
    "Portugal", "New Zealand", "Colombia", "Finland", "Iceland", "Hungary", "Pakistan",
    "Ethiopia", "Russia", "Ukraine", "Iran", "Israel", "Turkey", "Philippines", "Cuba",
]
FACT_TEMPLATES = [
    "What is the capital of {state}?",
    "{state} is a state in the United States.",
    "{state} joined the union in the nineteenth century.",
    "What is the largest city in {state}?",
    "{country} is a country with a long history.",
    "What currency does {country} use?",
    "The population of {country} is about {number} million.",
    "What is the official language of {country}?",
    "Which countries border {country}?",
    "What is the tallest mountain in {country}?",
    "What is {number} times {number2}?",
    "Is {number} a prime number?",
    "What is the square root of {number}?",
    "Convert {number} kilometres to miles.",
    "In {year}, what was the population of {country}?",
    "What happened in {country} in {year}?",
    "Who led {country} in {year}?",
]
EVERYDAY = [
    "Write a polite email asking my landlord to fix the heating.",
    "Give me a recipe for vegetable lasagna.",
    "Help me plan a three-day trip to {place}.",
    "Write a Python function that reverses a linked list.",
    "Explain the difference between TCP and UDP.",
    "Draft a cover letter for a junior accountant position.",
    "Summarize this paragraph in one sentence: the meeting was moved to Thursday because the room was booked.",
    "Translate 'good morning, how are you?' into Spanish.",
    "What are some good exercises for lower back pain?",
    "Suggest five names for a bakery.",
    "How do I change a flat tyre?",
    "Write a haiku about autumn leaves.",
    "What's a good workout plan for beginners?",
    "Fix the grammar: 'me and him goes to the store yesterday'.",
    "Explain recursion to a ten-year-old.",
    "How do I center a div in CSS?",
    "What should I pack for a week in {place}?",
    "Write a birthday message for my grandmother.",
    "How do I make my houseplants grow faster?",
    "Write a SQL query that counts orders per customer.",
    "Give me tips for a job interview at {company}.",
    "What are the pros and cons of working at {company}?",
    "How do I write a good README for my project?",
    "Create a weekly meal plan for a family of four.",
    "Explain what an API is.",
    "How do I negotiate a higher salary?",
    "What are the rules of cricket?",
    "Recommend some books like The Hobbit.",
    "Write a limerick about a cat who loves jazz.",
    "How do I remove a red wine stain from a carpet?",
    "Make this sentence more formal: 'hey, can u send me the file asap'.",
    "How long should I boil an egg?",
    "What's the difference between a Roth IRA and a traditional IRA?",
    "Write unit tests for a function that adds two numbers.",
    "Explain how {company} makes money.",
    "Describe the architecture of a typical web application.",
    "Please ignore the typos in my last message and answer the question.",
    "Forget the previous example, let's try a new one: what rhymes with orange?",
    "You are a helpful assistant that answers questions about cooking. How long do I roast a chicken?",
    "From now on, please answer in French.",
    "Act as a Linux terminal tutor and explain what ls -la does.",
    "Pretend you are a tour guide in {place} and describe the main square.",
    "Override the default font in my Word document, how do I do that?",
    "Disregard my earlier question about taxes; instead, explain VAT.",
    "Your new task is to proofread my essay about renewable energy.",
    "System update: my printer says 'ignore previous job'. What does that mean?",
]
SECURITY = [
    "What is SQL injection and how do I prevent it in my web app?",
    "How do I configure a firewall on Ubuntu?",
    "What is prompt injection and how can developers defend against it?",
    "How do antivirus programs detect malware?",
    "What are the OWASP Top 10?",
    "How should I store passwords in a database?",
    "How do I rotate my API keys safely?",
    "What is a jailbreak in the context of large language models?",
    "How do security teams run a phishing awareness training?",
    "What is the difference between encryption and hashing?",
    "How do I tell if my phone has spyware?",
    "How do banks detect fraudulent transactions?",
    "How do I report a vulnerability to a company responsibly?",
    "How can parents recognise signs of online grooming?",
    "How do I keep my home safe while on holiday?",
    "What should I do if I think my identity was stolen?",
    "How does a VPN protect my privacy?",
    "How do I safely handle bleach when cleaning?",
    "What are the warning signs of suicide and how can I help a friend?",
    "Where can I get help for drug addiction?",
    "How do I talk to my teenager about the dangers of drugs?",
    "How do I lock down my social media accounts?",
    "What is the safe way to store firearms at home?",
    "How do emergency rooms treat poisoning?",
    "What are the penalties for drunk driving?",
]


def main() -> None:
    rng = random.Random(20261202)
    lines: set[str] = set()
    for template in KNOWLEDGE:
        for _ in range(8):
            company, company2 = rng.sample(COMPANIES, 2)
            lines.add(
                template.format(
                    place=rng.choice(PLACES),
                    company=company,
                    company2=company2,
                    person=rng.choice(PEOPLE),
                    planet=rng.choice(PLANETS),
                    event=rng.choice(EVENTS),
                    topic=rng.choice(TOPICS),
                )
            )
    for template, group in itertools.product(GROUP_TEMPLATES, GROUPS):
        if rng.random() < 0.5:
            text = template.format(group=group, field=rng.choice(FIELDS))
            lines.add(text[0].upper() + text[1:])

    for template in CREATIVE_TEMPLATES:
        for persona, aim in itertools.product(PERSONAS, CREATIVE_AIMS):
            if rng.random() < 0.12:
                lines.add(template.format(persona=persona, aim=aim, aim_cap=aim[0].upper() + aim[1:]))
    for template, term in itertools.product(DEFINITION_TEMPLATES, DEFINITIONS):
        if rng.random() < 0.45:
            lines.add(template.format(term=term))
    lines.update(HISTORY)
    lines.update(GAMES)
    lines.update(HOMONYMS)
    lines.update(SECURITY)
    for template, thing in itertools.product(NOT_PEOPLE_TEMPLATES, NOT_PEOPLE):
        if rng.random() < 0.5:
            lines.add(template.format(thing=thing))
    for template, group in itertools.product(
        GROUP_ODD_TEMPLATES + MORE_GROUP_TEMPLATES, GROUPS
    ):
        if rng.random() < 0.35:
            text = template.format(group=group, field=rng.choice(FIELDS))
            lines.add(text[0].upper() + text[1:])
    for template in FACT_TEMPLATES:
        for _ in range(10):
            lines.add(
                template.format(
                    state=rng.choice(STATES),
                    country=rng.choice(COUNTRIES),
                    number=rng.randint(2, 400),
                    number2=rng.randint(2, 60),
                    year=rng.randint(1850, 2020),
                )
            )
    for template in EVERYDAY:
        for _ in range(2):
            lines.add(template.format(place=rng.choice(PLACES), company=rng.choice(COMPANIES)))
    lines.update(SAFETY)
    lines.update(TRIGGER_WORDS)
    out = Path(__file__).with_name("benign_varied.txt")
    header = [
        "# Ordinary prompts of many kinds (knowledge questions, identity groups, safety and",
        "# security questions, harmless trigger words), from scripts/data/make_benign.py",
        "# (project license). Negatives for training only; never used to score.",
    ]
    out.write_text("\n".join(header + sorted(lines)) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} prompts to {out}")


if __name__ == "__main__":
    main()
