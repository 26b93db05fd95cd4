"""UK post towns and cities a text may name after a street.

Used only to tell that a street was written in *another* town (a near miss); the register's
own towns and localities are added at load. Skeleton form (see normalise.skeleton).
"""

from __future__ import annotations

from mailguard.detect.register.ukforms import canon_street, skeleton, words

_NAMES = """
aberdeen, aberystwyth, aldershot, altrincham, ashford, aylesbury, ayr, banbury, bangor, barnsley,
barnstaple, barrow in furness, basildon, basingstoke, bath, bedford, belfast, birkenhead,
birmingham, blackburn, blackpool, bolton, bournemouth, bracknell, bradford, brentwood, bridgend,
brighton, bristol, bromley, burnley, burton on trent, bury, cambridge, canterbury, cardiff,
carlisle, chatham, chelmsford, cheltenham, chester, chesterfield, chichester, colchester,
coventry, crawley, crewe, croydon, darlington, derby, doncaster, dorchester, dudley, dundee,
durham, eastbourne, edinburgh, enfield, exeter, falkirk, gateshead, glasgow, gloucester, grimsby,
guildford, halifax, harlow, harrogate, hartlepool, hastings, hemel hempstead, hereford,
high wycombe, huddersfield, hull, inverness, ipswich, kendal, kidderminster, kilmarnock,
kingston upon hull, kingston upon thames, lancaster, leeds, leicester, lincoln, liverpool,
llandudno, london, londonderry, luton, maidstone, manchester, mansfield, middlesbrough,
milton keynes, motherwell, newcastle, newcastle upon tyne, newport, northampton, norwich,
nottingham, oldham, oxford, paisley, perth, peterborough, plymouth, poole, portsmouth, preston,
reading, redditch, rochdale, rotherham, salford, salisbury, scarborough, scunthorpe, sheffield,
shrewsbury, slough, solihull, southampton, southend on sea, southport, st albans, st helens,
stafford, stevenage, stirling, stockport, stockton on tees, stoke on trent, sunderland, sutton,
swansea, swindon, taunton, telford, torquay, truro, tunbridge wells, wakefield, walsall,
warrington, watford, wigan, winchester, woking, wolverhampton, worcester, worthing, wrexham,
yeovil, york
"""


def place_key(place_words: list[str] | tuple[str, ...]) -> str:
    """The form a town or locality is compared in: canonical words, OCR skeleton."""
    return skeleton(" ".join(place_words))


UK_TOWNS: frozenset[str] = frozenset(
    place_key(canon_street(words(name))) for name in _NAMES.replace("\n", " ").split(",") if name.strip()
)
