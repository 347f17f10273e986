/**
 * The consent page's words in its three languages (the request's `languageCode`; anything else reads English).
 * Levels are said as what the app may do, not as API terms.
 */
export type Lang = 'en' | 'fr' | 'de';
export type RequestedLevel = 'read' | 'contribute' | 'manage' | 'create-only';

export interface ConsentText {
  pageTitle: string;
  /** After the app's id: "asks for access to your data". */
  asks: string;
  wants: string;
  levels: Record<RequestedLevel, string>;
  allStreams: string;
  newStream: string;
  /** A requested name was taken: the stream is created under another. */
  renamed: (name: string) => string;
  tagged: (tags: string) => string;
  from: (date: string) => string;
  until: (date: string) => string;
  expiresAfter: (duration: string) => string;
  noExpiry: string;
  days: (n: number) => string;
  hours: (n: number) => string;
  minutes: (n: number) => string;
  selfRevokeForbidden: string;
  otherFeature: (name: string) => string;
  device: string;
  appMessage: string;
  signInTitle: string;
  username: string;
  password: string;
  signIn: string;
  refuse: string;
  codeTitle: string;
  codeHelp: string;
  code: string;
  verify: string;
  signedInAs: string;
  accept: string;
  alreadyGranted: string;
  replacesGrant: string;
  wrongCredentials: string;
  tooMany: (duration: string) => string;
  formExpired: string;
  sessionEnded: string;
  wrongCode: string;
  secondFactorUnavailable: string;
  useUsername: string;
  acceptedTitle: string;
  refusedTitle: string;
  closeWindow: string;
  goneTitle: string;
  goneText: string;
  failedTitle: string;
  failedText: string;
  notAllowedTitle: string;
  notAllowedText: string;
}

const en: ConsentText = {
  pageTitle: 'Authorize an app',
  asks: 'asks for access to your data',
  wants: 'What the app asks for',
  levels: {
    read: 'See the data',
    contribute: 'See, add and change the data',
    manage: 'See, add, change and organize the data, and share it with others',
    'create-only': 'Add new data, without seeing what is there',
  },
  allStreams: 'All your data',
  newStream: 'new, created if you accept',
  renamed: (name) => `new; “${name}” is taken, so it will be named this way`,
  tagged: (tags) => `only entries tagged ${tags}`,
  from: (date) => `only from ${date}`,
  until: (date) => `only until ${date}`,
  expiresAfter: (duration) => `The access ends after ${duration}.`,
  noExpiry: 'The access does not end by itself: you can revoke it at any time.',
  days: (n) => (n === 1 ? '1 day' : `${n} days`),
  hours: (n) => (n === 1 ? '1 hour' : `${n} hours`),
  minutes: (n) => (n === 1 ? '1 minute' : `${n} minutes`),
  selfRevokeForbidden: 'The app cannot revoke this access itself.',
  otherFeature: (name) => `Restriction: ${name}.`,
  device: 'Device',
  appMessage: 'Message from the app',
  signInTitle: 'Sign in to answer',
  username: 'Username or e-mail',
  password: 'Password',
  signIn: 'Sign in',
  refuse: 'Refuse',
  codeTitle: 'Two-step sign-in',
  codeHelp: 'Enter the 6-digit code shown by your authenticator app.',
  code: 'Code',
  verify: 'Continue',
  signedInAs: 'Signed in as',
  accept: 'Accept',
  alreadyGranted: 'You already gave this app exactly this access.',
  replacesGrant: 'This app already has an access to your data: accepting replaces it with this one.',
  wrongCredentials: 'The username or the password is not right.',
  tooMany: (duration) => `Too many failed attempts. Try again in ${duration}.`,
  formExpired: 'This form has expired. Please try again.',
  sessionEnded: 'Your sign-in has ended. Please sign in again.',
  wrongCode: 'This code is not valid. Enter the code your app shows now.',
  secondFactorUnavailable: 'Two-step sign-in is not available on this server.',
  useUsername: 'Sign in with your username.',
  acceptedTitle: 'Access granted',
  refusedTitle: 'Access refused',
  closeWindow: 'You can close this window and go back to the app.',
  goneTitle: 'This request is no longer valid',
  goneText: 'It has expired or has already been answered. Go back to the app to start again.',
  failedTitle: 'Something went wrong',
  failedText: 'The request could not be completed. Go back to the app to start again.',
  notAllowedTitle: 'Form refused',
  notAllowedText: 'This form was not sent from this page. Open the link the app gave you again.',
};

const fr: ConsentText = {
  pageTitle: 'Autoriser une application',
  asks: 'demande l’accès à vos données',
  wants: 'Ce que l’application demande',
  levels: {
    read: 'Voir les données',
    contribute: 'Voir, ajouter et modifier les données',
    manage: 'Voir, ajouter, modifier et organiser les données, et les partager avec d’autres',
    'create-only': 'Ajouter des données, sans voir celles qui existent',
  },
  allStreams: 'Toutes vos données',
  newStream: 'nouveau, créé si vous acceptez',
  renamed: (name) => `nouveau ; « ${name} » est déjà pris, il portera donc ce nom`,
  tagged: (tags) => `seulement les entrées marquées ${tags}`,
  from: (date) => `seulement à partir du ${date}`,
  until: (date) => `seulement jusqu’au ${date}`,
  expiresAfter: (duration) => `L’accès prend fin après ${duration}.`,
  noExpiry: 'L’accès ne prend pas fin de lui-même : vous pouvez le révoquer à tout moment.',
  days: (n) => (n === 1 ? '1 jour' : `${n} jours`),
  hours: (n) => (n === 1 ? '1 heure' : `${n} heures`),
  minutes: (n) => (n === 1 ? '1 minute' : `${n} minutes`),
  selfRevokeForbidden: 'L’application ne peut pas révoquer cet accès elle-même.',
  otherFeature: (name) => `Restriction : ${name}.`,
  device: 'Appareil',
  appMessage: 'Message de l’application',
  signInTitle: 'Connectez-vous pour répondre',
  username: 'Nom d’utilisateur ou e-mail',
  password: 'Mot de passe',
  signIn: 'Se connecter',
  refuse: 'Refuser',
  codeTitle: 'Connexion en deux étapes',
  codeHelp: 'Saisissez le code à 6 chiffres affiché par votre application d’authentification.',
  code: 'Code',
  verify: 'Continuer',
  signedInAs: 'Connecté en tant que',
  accept: 'Accepter',
  alreadyGranted: 'Vous avez déjà donné exactement cet accès à cette application.',
  replacesGrant: 'Cette application a déjà un accès à vos données : accepter le remplace par celui-ci.',
  wrongCredentials: 'Le nom d’utilisateur ou le mot de passe est incorrect.',
  tooMany: (duration) => `Trop de tentatives échouées. Réessayez dans ${duration}.`,
  formExpired: 'Ce formulaire a expiré. Veuillez réessayer.',
  sessionEnded: 'Votre connexion a pris fin. Veuillez vous reconnecter.',
  wrongCode: 'Ce code n’est pas valide. Saisissez le code affiché maintenant.',
  secondFactorUnavailable: 'La connexion en deux étapes n’est pas disponible sur ce serveur.',
  useUsername: 'Connectez-vous avec votre nom d’utilisateur.',
  acceptedTitle: 'Accès accordé',
  refusedTitle: 'Accès refusé',
  closeWindow: 'Vous pouvez fermer cette fenêtre et revenir à l’application.',
  goneTitle: 'Cette demande n’est plus valable',
  goneText: 'Elle a expiré ou a déjà reçu une réponse. Revenez à l’application pour recommencer.',
  failedTitle: 'Un problème est survenu',
  failedText: 'La demande n’a pas pu aboutir. Revenez à l’application pour recommencer.',
  notAllowedTitle: 'Formulaire refusé',
  notAllowedText: 'Ce formulaire n’a pas été envoyé depuis cette page. Rouvrez le lien donné par l’application.',
};

const de: ConsentText = {
  pageTitle: 'App autorisieren',
  asks: 'bittet um Zugriff auf Ihre Daten',
  wants: 'Was die App anfragt',
  levels: {
    read: 'Die Daten ansehen',
    contribute: 'Die Daten ansehen, hinzufügen und ändern',
    manage: 'Die Daten ansehen, hinzufügen, ändern, ordnen und mit anderen teilen',
    'create-only': 'Neue Daten hinzufügen, ohne die vorhandenen zu sehen',
  },
  allStreams: 'Alle Ihre Daten',
  newStream: 'neu, wird beim Annehmen angelegt',
  renamed: (name) => `neu; „${name}“ ist schon vergeben, daher dieser Name`,
  tagged: (tags) => `nur Einträge mit dem Schlagwort ${tags}`,
  from: (date) => `nur ab ${date}`,
  until: (date) => `nur bis ${date}`,
  expiresAfter: (duration) => `Der Zugriff endet nach ${duration}.`,
  noExpiry: 'Der Zugriff endet nicht von selbst: Sie können ihn jederzeit widerrufen.',
  days: (n) => (n === 1 ? '1 Tag' : `${n} Tagen`),
  hours: (n) => (n === 1 ? '1 Stunde' : `${n} Stunden`),
  minutes: (n) => (n === 1 ? '1 Minute' : `${n} Minuten`),
  selfRevokeForbidden: 'Die App kann diesen Zugriff nicht selbst widerrufen.',
  otherFeature: (name) => `Einschränkung: ${name}.`,
  device: 'Gerät',
  appMessage: 'Nachricht der App',
  signInTitle: 'Zum Antworten anmelden',
  username: 'Benutzername oder E-Mail',
  password: 'Passwort',
  signIn: 'Anmelden',
  refuse: 'Ablehnen',
  codeTitle: 'Anmeldung in zwei Schritten',
  codeHelp: 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.',
  code: 'Code',
  verify: 'Weiter',
  signedInAs: 'Angemeldet als',
  accept: 'Annehmen',
  alreadyGranted: 'Sie haben dieser App genau diesen Zugriff bereits gegeben.',
  replacesGrant: 'Diese App hat bereits Zugriff auf Ihre Daten: Annehmen ersetzt ihn durch diesen.',
  wrongCredentials: 'Benutzername oder Passwort ist nicht richtig.',
  tooMany: (duration) => `Zu viele Fehlversuche. Versuchen Sie es in ${duration} erneut.`,
  formExpired: 'Dieses Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
  sessionEnded: 'Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.',
  wrongCode: 'Dieser Code ist nicht gültig. Geben Sie den aktuell angezeigten Code ein.',
  secondFactorUnavailable: 'Die Anmeldung in zwei Schritten ist auf diesem Server nicht verfügbar.',
  useUsername: 'Melden Sie sich mit Ihrem Benutzernamen an.',
  acceptedTitle: 'Zugriff erteilt',
  refusedTitle: 'Zugriff abgelehnt',
  closeWindow: 'Sie können dieses Fenster schließen und zur App zurückkehren.',
  goneTitle: 'Diese Anfrage ist nicht mehr gültig',
  goneText: 'Sie ist abgelaufen oder wurde schon beantwortet. Kehren Sie zur App zurück, um neu zu beginnen.',
  failedTitle: 'Etwas ist schiefgelaufen',
  failedText: 'Die Anfrage konnte nicht abgeschlossen werden. Kehren Sie zur App zurück, um neu zu beginnen.',
  notAllowedTitle: 'Formular abgelehnt',
  notAllowedText: 'Dieses Formular wurde nicht von dieser Seite gesendet. Öffnen Sie den Link der App erneut.',
};

const TEXTS: Record<Lang, ConsentText> = { en, fr, de };

/** `fr-CH` reads French; a language the page does not speak reads English. */
export function langOf(code: string | null | undefined): Lang {
  const base = (code ?? '').slice(0, 2).toLowerCase();
  return base === 'fr' || base === 'de' ? base : 'en';
}

export const textFor = (lang: Lang): ConsentText => TEXTS[lang];
