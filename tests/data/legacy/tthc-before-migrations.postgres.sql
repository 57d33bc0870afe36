--
-- PostgreSQL database dump
--

\restrict BY4dIQAV6ytmu133pWrSmFMqn0Ohy4BNG8E1yPjzpUKMpU8KRPH2SnZThKXxKAC

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: feedback; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback (
    id integer NOT NULL,
    turn_id integer,
    session_id character varying(36) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    rating character varying(8) NOT NULL,
    comment text NOT NULL
);


--
-- Name: feedback_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feedback_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: feedback_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feedback_id_seq OWNED BY public.feedback.id;


--
-- Name: scans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scans (
    id integer NOT NULL,
    commune character varying(8) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: scans_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.scans_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: scans_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.scans_id_seq OWNED BY public.scans.id;


--
-- Name: turns; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.turns (
    id integer NOT NULL,
    session_id character varying(36) NOT NULL,
    commune character varying(8) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    sources json NOT NULL,
    language character varying(8) NOT NULL,
    in_scope boolean NOT NULL,
    generator character varying(32) NOT NULL,
    state json NOT NULL
);


--
-- Name: turns_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.turns_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: turns_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.turns_id_seq OWNED BY public.turns.id;


--
-- Name: feedback id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback ALTER COLUMN id SET DEFAULT nextval('public.feedback_id_seq'::regclass);


--
-- Name: scans id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scans ALTER COLUMN id SET DEFAULT nextval('public.scans_id_seq'::regclass);


--
-- Name: turns id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.turns ALTER COLUMN id SET DEFAULT nextval('public.turns_id_seq'::regclass);


--
-- Data for Name: feedback; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.feedback (id, turn_id, session_id, created_at, rating, comment) FROM stdin;
1	1	0123456789abcdef0123456789abcdef	2026-12-01 02:42:21.26049+00	up	rất hữu ích
\.


--
-- Data for Name: scans; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.scans (id, commune, created_at) FROM stdin;
1	20320	2026-12-01 02:42:21.262259+00
2	20320	2026-12-01 02:42:21.263768+00
3	00004	2026-12-01 02:42:21.264324+00
\.


--
-- Data for Name: turns; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.turns (id, session_id, commune, created_at, question, answer, sources, language, in_scope, generator, state) FROM stdin;
1	0123456789abcdef0123456789abcdef	20320	2026-12-01 02:42:21.255031+00	làm giấy khai sinh cần gì	Thông tin từ thủ tục «Thủ tục đăng ký khai sinh» [1.001193]	[{"procedure_id": "1.001193", "title": "Th\\u1ee7 t\\u1ee5c \\u0111\\u0103ng k\\u00fd khai sinh", "url": "https://dichvucong.gov.vn/x", "section": "ho-so"}]	vi	t	extractive	{"active": "1.001193", "aspect": "documents"}
2	0123456789abcdef0123456789abcdef	20320	2026-12-01 02:42:21.259037+00	còn lệ phí?	• Phí, lệ phí: Miễn phí [1.001193]	[{"procedure_id": "1.001193", "title": "Th\\u1ee7 t\\u1ee5c \\u0111\\u0103ng k\\u00fd khai sinh", "url": "https://dichvucong.gov.vn/x", "section": "cach-thuc"}]	vi	t	extractive+voice	{"active": "1.001193", "aspect": "fee"}
3	fedcba9876543210fedcba9876543210		2026-12-01 02:42:21.259841+00	thời tiết hôm nay	Xin lỗi, tôi chỉ hỗ trợ...	[]	vi	f	extractive	{}
\.


--
-- Name: feedback_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.feedback_id_seq', 1, true);


--
-- Name: scans_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.scans_id_seq', 3, true);


--
-- Name: turns_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.turns_id_seq', 3, true);


--
-- Name: feedback feedback_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_pkey PRIMARY KEY (id);


--
-- Name: scans scans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scans
    ADD CONSTRAINT scans_pkey PRIMARY KEY (id);


--
-- Name: turns turns_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.turns
    ADD CONSTRAINT turns_pkey PRIMARY KEY (id);


--
-- Name: ix_feedback_session_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_feedback_session_id ON public.feedback USING btree (session_id);


--
-- Name: ix_scans_commune; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scans_commune ON public.scans USING btree (commune);


--
-- Name: ix_turns_session_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_turns_session_id ON public.turns USING btree (session_id);


--
-- PostgreSQL database dump complete
--

\unrestrict BY4dIQAV6ytmu133pWrSmFMqn0Ohy4BNG8E1yPjzpUKMpU8KRPH2SnZThKXxKAC

